// Original file: protos/aurum/ml/v1/face_store.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateGalleryRequest as _aurum_ml_v1_CreateGalleryRequest, CreateGalleryRequest__Output as _aurum_ml_v1_CreateGalleryRequest__Output } from '../../../aurum/ml/v1/CreateGalleryRequest';
import type { DeleteFaceRequest as _aurum_ml_v1_DeleteFaceRequest, DeleteFaceRequest__Output as _aurum_ml_v1_DeleteFaceRequest__Output } from '../../../aurum/ml/v1/DeleteFaceRequest';
import type { DeleteFaceResponse as _aurum_ml_v1_DeleteFaceResponse, DeleteFaceResponse__Output as _aurum_ml_v1_DeleteFaceResponse__Output } from '../../../aurum/ml/v1/DeleteFaceResponse';
import type { DeleteGalleryRequest as _aurum_ml_v1_DeleteGalleryRequest, DeleteGalleryRequest__Output as _aurum_ml_v1_DeleteGalleryRequest__Output } from '../../../aurum/ml/v1/DeleteGalleryRequest';
import type { DeleteGalleryResponse as _aurum_ml_v1_DeleteGalleryResponse, DeleteGalleryResponse__Output as _aurum_ml_v1_DeleteGalleryResponse__Output } from '../../../aurum/ml/v1/DeleteGalleryResponse';
import type { DeleteSubjectRequest as _aurum_ml_v1_DeleteSubjectRequest, DeleteSubjectRequest__Output as _aurum_ml_v1_DeleteSubjectRequest__Output } from '../../../aurum/ml/v1/DeleteSubjectRequest';
import type { DeleteSubjectResponse as _aurum_ml_v1_DeleteSubjectResponse, DeleteSubjectResponse__Output as _aurum_ml_v1_DeleteSubjectResponse__Output } from '../../../aurum/ml/v1/DeleteSubjectResponse';
import type { EnrollRequest as _aurum_ml_v1_EnrollRequest, EnrollRequest__Output as _aurum_ml_v1_EnrollRequest__Output } from '../../../aurum/ml/v1/EnrollRequest';
import type { EnrollResponse as _aurum_ml_v1_EnrollResponse, EnrollResponse__Output as _aurum_ml_v1_EnrollResponse__Output } from '../../../aurum/ml/v1/EnrollResponse';
import type { Gallery as _aurum_ml_v1_Gallery, Gallery__Output as _aurum_ml_v1_Gallery__Output } from '../../../aurum/ml/v1/Gallery';
import type { GetGalleryRequest as _aurum_ml_v1_GetGalleryRequest, GetGalleryRequest__Output as _aurum_ml_v1_GetGalleryRequest__Output } from '../../../aurum/ml/v1/GetGalleryRequest';
import type { GetSubjectRequest as _aurum_ml_v1_GetSubjectRequest, GetSubjectRequest__Output as _aurum_ml_v1_GetSubjectRequest__Output } from '../../../aurum/ml/v1/GetSubjectRequest';
import type { GetSubjectResponse as _aurum_ml_v1_GetSubjectResponse, GetSubjectResponse__Output as _aurum_ml_v1_GetSubjectResponse__Output } from '../../../aurum/ml/v1/GetSubjectResponse';
import type { IdentifyRequest as _aurum_ml_v1_IdentifyRequest, IdentifyRequest__Output as _aurum_ml_v1_IdentifyRequest__Output } from '../../../aurum/ml/v1/IdentifyRequest';
import type { IdentifyResponse as _aurum_ml_v1_IdentifyResponse, IdentifyResponse__Output as _aurum_ml_v1_IdentifyResponse__Output } from '../../../aurum/ml/v1/IdentifyResponse';
import type { ListGalleriesRequest as _aurum_ml_v1_ListGalleriesRequest, ListGalleriesRequest__Output as _aurum_ml_v1_ListGalleriesRequest__Output } from '../../../aurum/ml/v1/ListGalleriesRequest';
import type { ListGalleriesResponse as _aurum_ml_v1_ListGalleriesResponse, ListGalleriesResponse__Output as _aurum_ml_v1_ListGalleriesResponse__Output } from '../../../aurum/ml/v1/ListGalleriesResponse';
import type { ListSubjectsRequest as _aurum_ml_v1_ListSubjectsRequest, ListSubjectsRequest__Output as _aurum_ml_v1_ListSubjectsRequest__Output } from '../../../aurum/ml/v1/ListSubjectsRequest';
import type { ListSubjectsResponse as _aurum_ml_v1_ListSubjectsResponse, ListSubjectsResponse__Output as _aurum_ml_v1_ListSubjectsResponse__Output } from '../../../aurum/ml/v1/ListSubjectsResponse';
import type { VerifyRequest as _aurum_ml_v1_VerifyRequest, VerifyRequest__Output as _aurum_ml_v1_VerifyRequest__Output } from '../../../aurum/ml/v1/VerifyRequest';
import type { VerifyResponse as _aurum_ml_v1_VerifyResponse, VerifyResponse__Output as _aurum_ml_v1_VerifyResponse__Output } from '../../../aurum/ml/v1/VerifyResponse';

export interface FaceStoreClient extends grpc.Client {
  CreateGallery(argument: _aurum_ml_v1_CreateGalleryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  CreateGallery(argument: _aurum_ml_v1_CreateGalleryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  CreateGallery(argument: _aurum_ml_v1_CreateGalleryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  CreateGallery(argument: _aurum_ml_v1_CreateGalleryRequest, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  createGallery(argument: _aurum_ml_v1_CreateGalleryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  createGallery(argument: _aurum_ml_v1_CreateGalleryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  createGallery(argument: _aurum_ml_v1_CreateGalleryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  createGallery(argument: _aurum_ml_v1_CreateGalleryRequest, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  
  DeleteFace(argument: _aurum_ml_v1_DeleteFaceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteFaceResponse__Output>): grpc.ClientUnaryCall;
  DeleteFace(argument: _aurum_ml_v1_DeleteFaceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_DeleteFaceResponse__Output>): grpc.ClientUnaryCall;
  DeleteFace(argument: _aurum_ml_v1_DeleteFaceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteFaceResponse__Output>): grpc.ClientUnaryCall;
  DeleteFace(argument: _aurum_ml_v1_DeleteFaceRequest, callback: grpc.requestCallback<_aurum_ml_v1_DeleteFaceResponse__Output>): grpc.ClientUnaryCall;
  deleteFace(argument: _aurum_ml_v1_DeleteFaceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteFaceResponse__Output>): grpc.ClientUnaryCall;
  deleteFace(argument: _aurum_ml_v1_DeleteFaceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_DeleteFaceResponse__Output>): grpc.ClientUnaryCall;
  deleteFace(argument: _aurum_ml_v1_DeleteFaceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteFaceResponse__Output>): grpc.ClientUnaryCall;
  deleteFace(argument: _aurum_ml_v1_DeleteFaceRequest, callback: grpc.requestCallback<_aurum_ml_v1_DeleteFaceResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteGallery(argument: _aurum_ml_v1_DeleteGalleryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteGalleryResponse__Output>): grpc.ClientUnaryCall;
  DeleteGallery(argument: _aurum_ml_v1_DeleteGalleryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_DeleteGalleryResponse__Output>): grpc.ClientUnaryCall;
  DeleteGallery(argument: _aurum_ml_v1_DeleteGalleryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteGalleryResponse__Output>): grpc.ClientUnaryCall;
  DeleteGallery(argument: _aurum_ml_v1_DeleteGalleryRequest, callback: grpc.requestCallback<_aurum_ml_v1_DeleteGalleryResponse__Output>): grpc.ClientUnaryCall;
  deleteGallery(argument: _aurum_ml_v1_DeleteGalleryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteGalleryResponse__Output>): grpc.ClientUnaryCall;
  deleteGallery(argument: _aurum_ml_v1_DeleteGalleryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_DeleteGalleryResponse__Output>): grpc.ClientUnaryCall;
  deleteGallery(argument: _aurum_ml_v1_DeleteGalleryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteGalleryResponse__Output>): grpc.ClientUnaryCall;
  deleteGallery(argument: _aurum_ml_v1_DeleteGalleryRequest, callback: grpc.requestCallback<_aurum_ml_v1_DeleteGalleryResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteSubject(argument: _aurum_ml_v1_DeleteSubjectRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteSubjectResponse__Output>): grpc.ClientUnaryCall;
  DeleteSubject(argument: _aurum_ml_v1_DeleteSubjectRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_DeleteSubjectResponse__Output>): grpc.ClientUnaryCall;
  DeleteSubject(argument: _aurum_ml_v1_DeleteSubjectRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteSubjectResponse__Output>): grpc.ClientUnaryCall;
  DeleteSubject(argument: _aurum_ml_v1_DeleteSubjectRequest, callback: grpc.requestCallback<_aurum_ml_v1_DeleteSubjectResponse__Output>): grpc.ClientUnaryCall;
  deleteSubject(argument: _aurum_ml_v1_DeleteSubjectRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteSubjectResponse__Output>): grpc.ClientUnaryCall;
  deleteSubject(argument: _aurum_ml_v1_DeleteSubjectRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_DeleteSubjectResponse__Output>): grpc.ClientUnaryCall;
  deleteSubject(argument: _aurum_ml_v1_DeleteSubjectRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DeleteSubjectResponse__Output>): grpc.ClientUnaryCall;
  deleteSubject(argument: _aurum_ml_v1_DeleteSubjectRequest, callback: grpc.requestCallback<_aurum_ml_v1_DeleteSubjectResponse__Output>): grpc.ClientUnaryCall;
  
  Enroll(argument: _aurum_ml_v1_EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _aurum_ml_v1_EnrollRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _aurum_ml_v1_EnrollRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _aurum_ml_v1_EnrollRequest, callback: grpc.requestCallback<_aurum_ml_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _aurum_ml_v1_EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _aurum_ml_v1_EnrollRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _aurum_ml_v1_EnrollRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _aurum_ml_v1_EnrollRequest, callback: grpc.requestCallback<_aurum_ml_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  
  GetGallery(argument: _aurum_ml_v1_GetGalleryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  GetGallery(argument: _aurum_ml_v1_GetGalleryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  GetGallery(argument: _aurum_ml_v1_GetGalleryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  GetGallery(argument: _aurum_ml_v1_GetGalleryRequest, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  getGallery(argument: _aurum_ml_v1_GetGalleryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  getGallery(argument: _aurum_ml_v1_GetGalleryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  getGallery(argument: _aurum_ml_v1_GetGalleryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  getGallery(argument: _aurum_ml_v1_GetGalleryRequest, callback: grpc.requestCallback<_aurum_ml_v1_Gallery__Output>): grpc.ClientUnaryCall;
  
  GetSubject(argument: _aurum_ml_v1_GetSubjectRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GetSubjectResponse__Output>): grpc.ClientUnaryCall;
  GetSubject(argument: _aurum_ml_v1_GetSubjectRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_GetSubjectResponse__Output>): grpc.ClientUnaryCall;
  GetSubject(argument: _aurum_ml_v1_GetSubjectRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GetSubjectResponse__Output>): grpc.ClientUnaryCall;
  GetSubject(argument: _aurum_ml_v1_GetSubjectRequest, callback: grpc.requestCallback<_aurum_ml_v1_GetSubjectResponse__Output>): grpc.ClientUnaryCall;
  getSubject(argument: _aurum_ml_v1_GetSubjectRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GetSubjectResponse__Output>): grpc.ClientUnaryCall;
  getSubject(argument: _aurum_ml_v1_GetSubjectRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_GetSubjectResponse__Output>): grpc.ClientUnaryCall;
  getSubject(argument: _aurum_ml_v1_GetSubjectRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GetSubjectResponse__Output>): grpc.ClientUnaryCall;
  getSubject(argument: _aurum_ml_v1_GetSubjectRequest, callback: grpc.requestCallback<_aurum_ml_v1_GetSubjectResponse__Output>): grpc.ClientUnaryCall;
  
  Identify(argument: _aurum_ml_v1_IdentifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_IdentifyResponse__Output>): grpc.ClientUnaryCall;
  Identify(argument: _aurum_ml_v1_IdentifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_IdentifyResponse__Output>): grpc.ClientUnaryCall;
  Identify(argument: _aurum_ml_v1_IdentifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_IdentifyResponse__Output>): grpc.ClientUnaryCall;
  Identify(argument: _aurum_ml_v1_IdentifyRequest, callback: grpc.requestCallback<_aurum_ml_v1_IdentifyResponse__Output>): grpc.ClientUnaryCall;
  identify(argument: _aurum_ml_v1_IdentifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_IdentifyResponse__Output>): grpc.ClientUnaryCall;
  identify(argument: _aurum_ml_v1_IdentifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_IdentifyResponse__Output>): grpc.ClientUnaryCall;
  identify(argument: _aurum_ml_v1_IdentifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_IdentifyResponse__Output>): grpc.ClientUnaryCall;
  identify(argument: _aurum_ml_v1_IdentifyRequest, callback: grpc.requestCallback<_aurum_ml_v1_IdentifyResponse__Output>): grpc.ClientUnaryCall;
  
  ListGalleries(argument: _aurum_ml_v1_ListGalleriesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleriesResponse__Output>): grpc.ClientUnaryCall;
  ListGalleries(argument: _aurum_ml_v1_ListGalleriesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleriesResponse__Output>): grpc.ClientUnaryCall;
  ListGalleries(argument: _aurum_ml_v1_ListGalleriesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleriesResponse__Output>): grpc.ClientUnaryCall;
  ListGalleries(argument: _aurum_ml_v1_ListGalleriesRequest, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleriesResponse__Output>): grpc.ClientUnaryCall;
  listGalleries(argument: _aurum_ml_v1_ListGalleriesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleriesResponse__Output>): grpc.ClientUnaryCall;
  listGalleries(argument: _aurum_ml_v1_ListGalleriesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleriesResponse__Output>): grpc.ClientUnaryCall;
  listGalleries(argument: _aurum_ml_v1_ListGalleriesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleriesResponse__Output>): grpc.ClientUnaryCall;
  listGalleries(argument: _aurum_ml_v1_ListGalleriesRequest, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleriesResponse__Output>): grpc.ClientUnaryCall;
  
  ListSubjects(argument: _aurum_ml_v1_ListSubjectsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListSubjectsResponse__Output>): grpc.ClientUnaryCall;
  ListSubjects(argument: _aurum_ml_v1_ListSubjectsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ListSubjectsResponse__Output>): grpc.ClientUnaryCall;
  ListSubjects(argument: _aurum_ml_v1_ListSubjectsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListSubjectsResponse__Output>): grpc.ClientUnaryCall;
  ListSubjects(argument: _aurum_ml_v1_ListSubjectsRequest, callback: grpc.requestCallback<_aurum_ml_v1_ListSubjectsResponse__Output>): grpc.ClientUnaryCall;
  listSubjects(argument: _aurum_ml_v1_ListSubjectsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListSubjectsResponse__Output>): grpc.ClientUnaryCall;
  listSubjects(argument: _aurum_ml_v1_ListSubjectsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ListSubjectsResponse__Output>): grpc.ClientUnaryCall;
  listSubjects(argument: _aurum_ml_v1_ListSubjectsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListSubjectsResponse__Output>): grpc.ClientUnaryCall;
  listSubjects(argument: _aurum_ml_v1_ListSubjectsRequest, callback: grpc.requestCallback<_aurum_ml_v1_ListSubjectsResponse__Output>): grpc.ClientUnaryCall;
  
  Verify(argument: _aurum_ml_v1_VerifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  Verify(argument: _aurum_ml_v1_VerifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  Verify(argument: _aurum_ml_v1_VerifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  Verify(argument: _aurum_ml_v1_VerifyRequest, callback: grpc.requestCallback<_aurum_ml_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _aurum_ml_v1_VerifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _aurum_ml_v1_VerifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _aurum_ml_v1_VerifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _aurum_ml_v1_VerifyRequest, callback: grpc.requestCallback<_aurum_ml_v1_VerifyResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface FaceStoreHandlers extends grpc.UntypedServiceImplementation {
  CreateGallery: grpc.handleUnaryCall<_aurum_ml_v1_CreateGalleryRequest__Output, _aurum_ml_v1_Gallery>;
  
  DeleteFace: grpc.handleUnaryCall<_aurum_ml_v1_DeleteFaceRequest__Output, _aurum_ml_v1_DeleteFaceResponse>;
  
  DeleteGallery: grpc.handleUnaryCall<_aurum_ml_v1_DeleteGalleryRequest__Output, _aurum_ml_v1_DeleteGalleryResponse>;
  
  DeleteSubject: grpc.handleUnaryCall<_aurum_ml_v1_DeleteSubjectRequest__Output, _aurum_ml_v1_DeleteSubjectResponse>;
  
  Enroll: grpc.handleUnaryCall<_aurum_ml_v1_EnrollRequest__Output, _aurum_ml_v1_EnrollResponse>;
  
  GetGallery: grpc.handleUnaryCall<_aurum_ml_v1_GetGalleryRequest__Output, _aurum_ml_v1_Gallery>;
  
  GetSubject: grpc.handleUnaryCall<_aurum_ml_v1_GetSubjectRequest__Output, _aurum_ml_v1_GetSubjectResponse>;
  
  Identify: grpc.handleUnaryCall<_aurum_ml_v1_IdentifyRequest__Output, _aurum_ml_v1_IdentifyResponse>;
  
  ListGalleries: grpc.handleUnaryCall<_aurum_ml_v1_ListGalleriesRequest__Output, _aurum_ml_v1_ListGalleriesResponse>;
  
  ListSubjects: grpc.handleUnaryCall<_aurum_ml_v1_ListSubjectsRequest__Output, _aurum_ml_v1_ListSubjectsResponse>;
  
  Verify: grpc.handleUnaryCall<_aurum_ml_v1_VerifyRequest__Output, _aurum_ml_v1_VerifyResponse>;
  
}

export interface FaceStoreDefinition extends grpc.ServiceDefinition {
  CreateGallery: MethodDefinition<_aurum_ml_v1_CreateGalleryRequest, _aurum_ml_v1_Gallery, _aurum_ml_v1_CreateGalleryRequest__Output, _aurum_ml_v1_Gallery__Output>
  DeleteFace: MethodDefinition<_aurum_ml_v1_DeleteFaceRequest, _aurum_ml_v1_DeleteFaceResponse, _aurum_ml_v1_DeleteFaceRequest__Output, _aurum_ml_v1_DeleteFaceResponse__Output>
  DeleteGallery: MethodDefinition<_aurum_ml_v1_DeleteGalleryRequest, _aurum_ml_v1_DeleteGalleryResponse, _aurum_ml_v1_DeleteGalleryRequest__Output, _aurum_ml_v1_DeleteGalleryResponse__Output>
  DeleteSubject: MethodDefinition<_aurum_ml_v1_DeleteSubjectRequest, _aurum_ml_v1_DeleteSubjectResponse, _aurum_ml_v1_DeleteSubjectRequest__Output, _aurum_ml_v1_DeleteSubjectResponse__Output>
  Enroll: MethodDefinition<_aurum_ml_v1_EnrollRequest, _aurum_ml_v1_EnrollResponse, _aurum_ml_v1_EnrollRequest__Output, _aurum_ml_v1_EnrollResponse__Output>
  GetGallery: MethodDefinition<_aurum_ml_v1_GetGalleryRequest, _aurum_ml_v1_Gallery, _aurum_ml_v1_GetGalleryRequest__Output, _aurum_ml_v1_Gallery__Output>
  GetSubject: MethodDefinition<_aurum_ml_v1_GetSubjectRequest, _aurum_ml_v1_GetSubjectResponse, _aurum_ml_v1_GetSubjectRequest__Output, _aurum_ml_v1_GetSubjectResponse__Output>
  Identify: MethodDefinition<_aurum_ml_v1_IdentifyRequest, _aurum_ml_v1_IdentifyResponse, _aurum_ml_v1_IdentifyRequest__Output, _aurum_ml_v1_IdentifyResponse__Output>
  ListGalleries: MethodDefinition<_aurum_ml_v1_ListGalleriesRequest, _aurum_ml_v1_ListGalleriesResponse, _aurum_ml_v1_ListGalleriesRequest__Output, _aurum_ml_v1_ListGalleriesResponse__Output>
  ListSubjects: MethodDefinition<_aurum_ml_v1_ListSubjectsRequest, _aurum_ml_v1_ListSubjectsResponse, _aurum_ml_v1_ListSubjectsRequest__Output, _aurum_ml_v1_ListSubjectsResponse__Output>
  Verify: MethodDefinition<_aurum_ml_v1_VerifyRequest, _aurum_ml_v1_VerifyResponse, _aurum_ml_v1_VerifyRequest__Output, _aurum_ml_v1_VerifyResponse__Output>
}
