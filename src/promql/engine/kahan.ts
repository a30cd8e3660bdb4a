export { kahanInc } from '../../model/kahan-sum.js';
