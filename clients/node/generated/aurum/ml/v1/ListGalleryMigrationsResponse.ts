// Original file: protos/aurum/ml/v1/models.proto

import type { GalleryMigration as _aurum_ml_v1_GalleryMigration, GalleryMigration__Output as _aurum_ml_v1_GalleryMigration__Output } from '../../../aurum/ml/v1/GalleryMigration';

export interface ListGalleryMigrationsResponse {
  'migrations'?: (_aurum_ml_v1_GalleryMigration)[];
}

export interface ListGalleryMigrationsResponse__Output {
  'migrations': (_aurum_ml_v1_GalleryMigration__Output)[];
}
