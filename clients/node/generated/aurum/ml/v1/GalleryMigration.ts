// Original file: protos/aurum/ml/v1/models.proto

import type { Long } from '@grpc/proto-loader';

export interface GalleryMigration {
  'gallery'?: (string);
  'state'?: (string);
  'from_model_name'?: (string);
  'from_model_version'?: (string);
  'to_model_name'?: (string);
  'to_model_version'?: (string);
  'total'?: (number | string | Long);
  'migrated'?: (number | string | Long);
  'error'?: (string);
  'started_at'?: (number | string);
  'finished_at'?: (number | string);
}

export interface GalleryMigration__Output {
  'gallery': (string);
  'state': (string);
  'from_model_name': (string);
  'from_model_version': (string);
  'to_model_name': (string);
  'to_model_version': (string);
  'total': (string);
  'migrated': (string);
  'error': (string);
  'started_at': (number);
  'finished_at': (number);
}
