// Original file: protos/aurum/ml/v1/common.proto

export const Detector = {
  DETECTOR_UNSPECIFIED: 'DETECTOR_UNSPECIFIED',
  DETECTOR_SCRFD: 'DETECTOR_SCRFD',
  DETECTOR_MTCNN: 'DETECTOR_MTCNN',
  DETECTOR_YUNET: 'DETECTOR_YUNET',
} as const;

export type Detector =
  | 'DETECTOR_UNSPECIFIED'
  | 0
  | 'DETECTOR_SCRFD'
  | 1
  | 'DETECTOR_MTCNN'
  | 2
  | 'DETECTOR_YUNET'
  | 3

export type Detector__Output = typeof Detector[keyof typeof Detector]
