export interface ListGalleriesRequest {
}
export interface ListGalleriesRequest__Output {
}
