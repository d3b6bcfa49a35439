import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BoundingBox as _aurum_ml_v1_BoundingBox, BoundingBox__Output as _aurum_ml_v1_BoundingBox__Output } from './aurum/ml/v1/BoundingBox';
import type { CompareManyRequest as _aurum_ml_v1_CompareManyRequest, CompareManyRequest__Output as _aurum_ml_v1_CompareManyRequest__Output } from './aurum/ml/v1/CompareManyRequest';
import type { CompareManyResponse as _aurum_ml_v1_CompareManyResponse, CompareManyResponse__Output as _aurum_ml_v1_CompareManyResponse__Output } from './aurum/ml/v1/CompareManyResponse';
import type { CompareRequest as _aurum_ml_v1_CompareRequest, CompareRequest__Output as _aurum_ml_v1_CompareRequest__Output } from './aurum/ml/v1/CompareRequest';
import type { CompareResponse as _aurum_ml_v1_CompareResponse, CompareResponse__Output as _aurum_ml_v1_CompareResponse__Output } from './aurum/ml/v1/CompareResponse';
import type { CreateGalleryRequest as _aurum_ml_v1_CreateGalleryRequest, CreateGalleryRequest__Output as _aurum_ml_v1_CreateGalleryRequest__Output } from './aurum/ml/v1/CreateGalleryRequest';
import type { DeleteFaceRequest as _aurum_ml_v1_DeleteFaceRequest, DeleteFaceRequest__Output as _aurum_ml_v1_DeleteFaceRequest__Output } from './aurum/ml/v1/DeleteFaceRequest';
import type { DeleteFaceResponse as _aurum_ml_v1_DeleteFaceResponse, DeleteFaceResponse__Output as _aurum_ml_v1_DeleteFaceResponse__Output } from './aurum/ml/v1/DeleteFaceResponse';
import type { DeleteGalleryRequest as _aurum_ml_v1_DeleteGalleryRequest, DeleteGalleryRequest__Output as _aurum_ml_v1_DeleteGalleryRequest__Output } from './aurum/ml/v1/DeleteGalleryRequest';
import type { DeleteGalleryResponse as _aurum_ml_v1_DeleteGalleryResponse, DeleteGalleryResponse__Output as _aurum_ml_v1_DeleteGalleryResponse__Output } from './aurum/ml/v1/DeleteGalleryResponse';
import type { DeleteSubjectRequest as _aurum_ml_v1_DeleteSubjectRequest, DeleteSubjectRequest__Output as _aurum_ml_v1_DeleteSubjectRequest__Output } from './aurum/ml/v1/DeleteSubjectRequest';
import type { DeleteSubjectResponse as _aurum_ml_v1_DeleteSubjectResponse, DeleteSubjectResponse__Output as _aurum_ml_v1_DeleteSubjectResponse__Output } from './aurum/ml/v1/DeleteSubjectResponse';
import type { Embedding as _aurum_ml_v1_Embedding, Embedding__Output as _aurum_ml_v1_Embedding__Output } from './aurum/ml/v1/Embedding';
import type { EnrollRequest as _aurum_ml_v1_EnrollRequest, EnrollRequest__Output as _aurum_ml_v1_EnrollRequest__Output } from './aurum/ml/v1/EnrollRequest';
import type { EnrollResponse as _aurum_ml_v1_EnrollResponse, EnrollResponse__Output as _aurum_ml_v1_EnrollResponse__Output } from './aurum/ml/v1/EnrollResponse';
import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from './aurum/ml/v1/Face';
import type { FaceIdentity as _aurum_ml_v1_FaceIdentity, FaceIdentity__Output as _aurum_ml_v1_FaceIdentity__Output } from './aurum/ml/v1/FaceIdentity';
import type { FaceStoreClient as _aurum_ml_v1_FaceStoreClient, FaceStoreDefinition as _aurum_ml_v1_FaceStoreDefinition } from './aurum/ml/v1/FaceStore';
import type { Gallery as _aurum_ml_v1_Gallery, Gallery__Output as _aurum_ml_v1_Gallery__Output } from './aurum/ml/v1/Gallery';
import type { GetGalleryRequest as _aurum_ml_v1_GetGalleryRequest, GetGalleryRequest__Output as _aurum_ml_v1_GetGalleryRequest__Output } from './aurum/ml/v1/GetGalleryRequest';
import type { GetSubjectRequest as _aurum_ml_v1_GetSubjectRequest, GetSubjectRequest__Output as _aurum_ml_v1_GetSubjectRequest__Output } from './aurum/ml/v1/GetSubjectRequest';
import type { GetSubjectResponse as _aurum_ml_v1_GetSubjectResponse, GetSubjectResponse__Output as _aurum_ml_v1_GetSubjectResponse__Output } from './aurum/ml/v1/GetSubjectResponse';
import type { IdentifyRequest as _aurum_ml_v1_IdentifyRequest, IdentifyRequest__Output as _aurum_ml_v1_IdentifyRequest__Output } from './aurum/ml/v1/IdentifyRequest';
import type { IdentifyResponse as _aurum_ml_v1_IdentifyResponse, IdentifyResponse__Output as _aurum_ml_v1_IdentifyResponse__Output } from './aurum/ml/v1/IdentifyResponse';
import type { Image as _aurum_ml_v1_Image, Image__Output as _aurum_ml_v1_Image__Output } from './aurum/ml/v1/Image';
import type { ItemError as _aurum_ml_v1_ItemError, ItemError__Output as _aurum_ml_v1_ItemError__Output } from './aurum/ml/v1/ItemError';
import type { Landmarks as _aurum_ml_v1_Landmarks, Landmarks__Output as _aurum_ml_v1_Landmarks__Output } from './aurum/ml/v1/Landmarks';
import type { ListGalleriesRequest as _aurum_ml_v1_ListGalleriesRequest, ListGalleriesRequest__Output as _aurum_ml_v1_ListGalleriesRequest__Output } from './aurum/ml/v1/ListGalleriesRequest';
import type { ListGalleriesResponse as _aurum_ml_v1_ListGalleriesResponse, ListGalleriesResponse__Output as _aurum_ml_v1_ListGalleriesResponse__Output } from './aurum/ml/v1/ListGalleriesResponse';
import type { ListSubjectsRequest as _aurum_ml_v1_ListSubjectsRequest, ListSubjectsRequest__Output as _aurum_ml_v1_ListSubjectsRequest__Output } from './aurum/ml/v1/ListSubjectsRequest';
import type { ListSubjectsResponse as _aurum_ml_v1_ListSubjectsResponse, ListSubjectsResponse__Output as _aurum_ml_v1_ListSubjectsResponse__Output } from './aurum/ml/v1/ListSubjectsResponse';
import type { Match as _aurum_ml_v1_Match, Match__Output as _aurum_ml_v1_Match__Output } from './aurum/ml/v1/Match';
import type { ModelInfo as _aurum_ml_v1_ModelInfo, ModelInfo__Output as _aurum_ml_v1_ModelInfo__Output } from './aurum/ml/v1/ModelInfo';
import type { ModelSelector as _aurum_ml_v1_ModelSelector, ModelSelector__Output as _aurum_ml_v1_ModelSelector__Output } from './aurum/ml/v1/ModelSelector';
import type { Point as _aurum_ml_v1_Point, Point__Output as _aurum_ml_v1_Point__Output } from './aurum/ml/v1/Point';
import type { QualityReport as _aurum_ml_v1_QualityReport, QualityReport__Output as _aurum_ml_v1_QualityReport__Output } from './aurum/ml/v1/QualityReport';
import type { SimilarityClient as _aurum_ml_v1_SimilarityClient, SimilarityDefinition as _aurum_ml_v1_SimilarityDefinition } from './aurum/ml/v1/Similarity';
import type { StoredFace as _aurum_ml_v1_StoredFace, StoredFace__Output as _aurum_ml_v1_StoredFace__Output } from './aurum/ml/v1/StoredFace';
import type { SubjectMatch as _aurum_ml_v1_SubjectMatch, SubjectMatch__Output as _aurum_ml_v1_SubjectMatch__Output } from './aurum/ml/v1/SubjectMatch';
import type { SubjectSummary as _aurum_ml_v1_SubjectSummary, SubjectSummary__Output as _aurum_ml_v1_SubjectSummary__Output } from './aurum/ml/v1/SubjectSummary';
import type { VerifyRequest as _aurum_ml_v1_VerifyRequest, VerifyRequest__Output as _aurum_ml_v1_VerifyRequest__Output } from './aurum/ml/v1/VerifyRequest';
import type { VerifyResponse as _aurum_ml_v1_VerifyResponse, VerifyResponse__Output as _aurum_ml_v1_VerifyResponse__Output } from './aurum/ml/v1/VerifyResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  aurum: {
    ml: {
      v1: {
        BoundingBox: MessageTypeDefinition<_aurum_ml_v1_BoundingBox, _aurum_ml_v1_BoundingBox__Output>
        CompareManyRequest: MessageTypeDefinition<_aurum_ml_v1_CompareManyRequest, _aurum_ml_v1_CompareManyRequest__Output>
        CompareManyResponse: MessageTypeDefinition<_aurum_ml_v1_CompareManyResponse, _aurum_ml_v1_CompareManyResponse__Output>
        CompareRequest: MessageTypeDefinition<_aurum_ml_v1_CompareRequest, _aurum_ml_v1_CompareRequest__Output>
        CompareResponse: MessageTypeDefinition<_aurum_ml_v1_CompareResponse, _aurum_ml_v1_CompareResponse__Output>
        CreateGalleryRequest: MessageTypeDefinition<_aurum_ml_v1_CreateGalleryRequest, _aurum_ml_v1_CreateGalleryRequest__Output>
        DeleteFaceRequest: MessageTypeDefinition<_aurum_ml_v1_DeleteFaceRequest, _aurum_ml_v1_DeleteFaceRequest__Output>
        DeleteFaceResponse: MessageTypeDefinition<_aurum_ml_v1_DeleteFaceResponse, _aurum_ml_v1_DeleteFaceResponse__Output>
        DeleteGalleryRequest: MessageTypeDefinition<_aurum_ml_v1_DeleteGalleryRequest, _aurum_ml_v1_DeleteGalleryRequest__Output>
        DeleteGalleryResponse: MessageTypeDefinition<_aurum_ml_v1_DeleteGalleryResponse, _aurum_ml_v1_DeleteGalleryResponse__Output>
        DeleteSubjectRequest: MessageTypeDefinition<_aurum_ml_v1_DeleteSubjectRequest, _aurum_ml_v1_DeleteSubjectRequest__Output>
        DeleteSubjectResponse: MessageTypeDefinition<_aurum_ml_v1_DeleteSubjectResponse, _aurum_ml_v1_DeleteSubjectResponse__Output>
        Detector: EnumTypeDefinition
        Embedding: MessageTypeDefinition<_aurum_ml_v1_Embedding, _aurum_ml_v1_Embedding__Output>
        EnrollRequest: MessageTypeDefinition<_aurum_ml_v1_EnrollRequest, _aurum_ml_v1_EnrollRequest__Output>
        EnrollResponse: MessageTypeDefinition<_aurum_ml_v1_EnrollResponse, _aurum_ml_v1_EnrollResponse__Output>
        Face: MessageTypeDefinition<_aurum_ml_v1_Face, _aurum_ml_v1_Face__Output>
        FaceIdentity: MessageTypeDefinition<_aurum_ml_v1_FaceIdentity, _aurum_ml_v1_FaceIdentity__Output>
        FaceStore: SubtypeConstructor<typeof grpc.Client, _aurum_ml_v1_FaceStoreClient> & { service: _aurum_ml_v1_FaceStoreDefinition }
        Gallery: MessageTypeDefinition<_aurum_ml_v1_Gallery, _aurum_ml_v1_Gallery__Output>
        GetGalleryRequest: MessageTypeDefinition<_aurum_ml_v1_GetGalleryRequest, _aurum_ml_v1_GetGalleryRequest__Output>
        GetSubjectRequest: MessageTypeDefinition<_aurum_ml_v1_GetSubjectRequest, _aurum_ml_v1_GetSubjectRequest__Output>
        GetSubjectResponse: MessageTypeDefinition<_aurum_ml_v1_GetSubjectResponse, _aurum_ml_v1_GetSubjectResponse__Output>
        IdentifyRequest: MessageTypeDefinition<_aurum_ml_v1_IdentifyRequest, _aurum_ml_v1_IdentifyRequest__Output>
        IdentifyResponse: MessageTypeDefinition<_aurum_ml_v1_IdentifyResponse, _aurum_ml_v1_IdentifyResponse__Output>
        Image: MessageTypeDefinition<_aurum_ml_v1_Image, _aurum_ml_v1_Image__Output>
        ItemError: MessageTypeDefinition<_aurum_ml_v1_ItemError, _aurum_ml_v1_ItemError__Output>
        Landmarks: MessageTypeDefinition<_aurum_ml_v1_Landmarks, _aurum_ml_v1_Landmarks__Output>
        ListGalleriesRequest: MessageTypeDefinition<_aurum_ml_v1_ListGalleriesRequest, _aurum_ml_v1_ListGalleriesRequest__Output>
        ListGalleriesResponse: MessageTypeDefinition<_aurum_ml_v1_ListGalleriesResponse, _aurum_ml_v1_ListGalleriesResponse__Output>
        ListSubjectsRequest: MessageTypeDefinition<_aurum_ml_v1_ListSubjectsRequest, _aurum_ml_v1_ListSubjectsRequest__Output>
        ListSubjectsResponse: MessageTypeDefinition<_aurum_ml_v1_ListSubjectsResponse, _aurum_ml_v1_ListSubjectsResponse__Output>
        Match: MessageTypeDefinition<_aurum_ml_v1_Match, _aurum_ml_v1_Match__Output>
        Metric: EnumTypeDefinition
        ModelInfo: MessageTypeDefinition<_aurum_ml_v1_ModelInfo, _aurum_ml_v1_ModelInfo__Output>
        ModelSelector: MessageTypeDefinition<_aurum_ml_v1_ModelSelector, _aurum_ml_v1_ModelSelector__Output>
        Point: MessageTypeDefinition<_aurum_ml_v1_Point, _aurum_ml_v1_Point__Output>
        QualityReport: MessageTypeDefinition<_aurum_ml_v1_QualityReport, _aurum_ml_v1_QualityReport__Output>
        Similarity: SubtypeConstructor<typeof grpc.Client, _aurum_ml_v1_SimilarityClient> & { service: _aurum_ml_v1_SimilarityDefinition }
        StoredFace: MessageTypeDefinition<_aurum_ml_v1_StoredFace, _aurum_ml_v1_StoredFace__Output>
        SubjectMatch: MessageTypeDefinition<_aurum_ml_v1_SubjectMatch, _aurum_ml_v1_SubjectMatch__Output>
        SubjectSummary: MessageTypeDefinition<_aurum_ml_v1_SubjectSummary, _aurum_ml_v1_SubjectSummary__Output>
        VerifyRequest: MessageTypeDefinition<_aurum_ml_v1_VerifyRequest, _aurum_ml_v1_VerifyRequest__Output>
        VerifyResponse: MessageTypeDefinition<_aurum_ml_v1_VerifyResponse, _aurum_ml_v1_VerifyResponse__Output>
      }
    }
  }
}

