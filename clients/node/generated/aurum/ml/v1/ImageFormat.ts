// Original file: protos/aurum/ml/v1/processing.proto

export const ImageFormat = {
  IMAGE_FORMAT_UNSPECIFIED: 'IMAGE_FORMAT_UNSPECIFIED',
  IMAGE_FORMAT_JPEG: 'IMAGE_FORMAT_JPEG',
  IMAGE_FORMAT_PNG: 'IMAGE_FORMAT_PNG',
  IMAGE_FORMAT_WEBP: 'IMAGE_FORMAT_WEBP',
} as const;

export type ImageFormat =
  | 'IMAGE_FORMAT_UNSPECIFIED'
  | 0
  | 'IMAGE_FORMAT_JPEG'
  | 1
  | 'IMAGE_FORMAT_PNG'
  | 2
  | 'IMAGE_FORMAT_WEBP'
  | 3

export type ImageFormat__Output = typeof ImageFormat[keyof typeof ImageFormat]
