// Original file: protos/aurum/ml/v1/processing.proto

export const NormalizeMode = {
  NORMALIZE_MODE_UNSPECIFIED: 'NORMALIZE_MODE_UNSPECIFIED',
  NORMALIZE_MODE_MINMAX: 'NORMALIZE_MODE_MINMAX',
  NORMALIZE_MODE_EQUALIZE: 'NORMALIZE_MODE_EQUALIZE',
} as const;

export type NormalizeMode =
  | 'NORMALIZE_MODE_UNSPECIFIED'
  | 0
  | 'NORMALIZE_MODE_MINMAX'
  | 1
  | 'NORMALIZE_MODE_EQUALIZE'
  | 2

export type NormalizeMode__Output = typeof NormalizeMode[keyof typeof NormalizeMode]
