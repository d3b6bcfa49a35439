// Original file: protos/aurum/ml/v1/processing.proto

import type { Image as _aurum_ml_v1_Image, Image__Output as _aurum_ml_v1_Image__Output } from '../../../aurum/ml/v1/Image';
import type { Operation as _aurum_ml_v1_Operation, Operation__Output as _aurum_ml_v1_Operation__Output } from '../../../aurum/ml/v1/Operation';
import type { ImageFormat as _aurum_ml_v1_ImageFormat, ImageFormat__Output as _aurum_ml_v1_ImageFormat__Output } from '../../../aurum/ml/v1/ImageFormat';

export interface ProcessRequest {
  'image'?: (_aurum_ml_v1_Image | null);
  'operations'?: (_aurum_ml_v1_Operation)[];
  'output_format'?: (_aurum_ml_v1_ImageFormat);
  'encode_quality'?: (number);
}

export interface ProcessRequest__Output {
  'image': (_aurum_ml_v1_Image__Output | null);
  'operations': (_aurum_ml_v1_Operation__Output)[];
  'output_format': (_aurum_ml_v1_ImageFormat__Output);
  'encode_quality': (number);
}
