// Original file: protos/aurum/ml/v1/models.proto

import type { Long } from '@grpc/proto-loader';

export interface ModelVersion {
  'role'?: (string);
  'name'?: (string);
  'version'?: (string);
  'state'?: (string);
  'error'?: (string);
  'execution_provider'?: (string);
  'load_s'?: (number | string);
  'memory_bytes'?: (number | string | Long);
  'in_use'?: (number);
  'is_default'?: (boolean);
  'traffic_share'?: (number | string);
  'embedding_size'?: (number);
}

export interface ModelVersion__Output {
  'role': (string);
  'name': (string);
  'version': (string);
  'state': (string);
  'error': (string);
  'execution_provider': (string);
  'load_s': (number);
  'memory_bytes': (string);
  'in_use': (number);
  'is_default': (boolean);
  'traffic_share': (number);
  'embedding_size': (number);
}
