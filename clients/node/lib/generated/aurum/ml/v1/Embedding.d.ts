export interface Embedding {
    'values'?: (number | string)[];
}
export interface Embedding__Output {
    'values': (number)[];
}
