export { kahanComp, kahanInc } from '../../model/kahan-sum.js';
