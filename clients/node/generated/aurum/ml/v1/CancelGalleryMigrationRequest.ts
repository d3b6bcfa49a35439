// Original file: protos/aurum/ml/v1/models.proto


export interface CancelGalleryMigrationRequest {
  'gallery'?: (string);
}

export interface CancelGalleryMigrationRequest__Output {
  'gallery': (string);
}
