export declare const NormalizeMode: {
    readonly NORMALIZE_MODE_UNSPECIFIED: "NORMALIZE_MODE_UNSPECIFIED";
    readonly NORMALIZE_MODE_MINMAX: "NORMALIZE_MODE_MINMAX";
    readonly NORMALIZE_MODE_EQUALIZE: "NORMALIZE_MODE_EQUALIZE";
};
export type NormalizeMode = 'NORMALIZE_MODE_UNSPECIFIED' | 0 | 'NORMALIZE_MODE_MINMAX' | 1 | 'NORMALIZE_MODE_EQUALIZE' | 2;
export type NormalizeMode__Output = typeof NormalizeMode[keyof typeof NormalizeMode];
