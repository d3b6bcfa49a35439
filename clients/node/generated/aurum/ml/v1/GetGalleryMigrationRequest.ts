// Original file: protos/aurum/ml/v1/models.proto


export interface GetGalleryMigrationRequest {
  'gallery'?: (string);
}

export interface GetGalleryMigrationRequest__Output {
  'gallery': (string);
}
