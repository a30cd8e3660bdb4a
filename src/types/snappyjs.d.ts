declare module 'snappyjs' {
  export function uncompress<T extends ArrayBuffer | Uint8Array>(data: T, maxLength?: number): T;
  export function compress<T extends ArrayBuffer | Uint8Array>(data: T): T;
}
