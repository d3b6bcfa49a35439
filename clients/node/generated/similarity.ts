import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CompareManyRequest as _aurum_ml_v1_CompareManyRequest, CompareManyRequest__Output as _aurum_ml_v1_CompareManyRequest__Output } from './aurum/ml/v1/CompareManyRequest';
import type { CompareManyResponse as _aurum_ml_v1_CompareManyResponse, CompareManyResponse__Output as _aurum_ml_v1_CompareManyResponse__Output } from './aurum/ml/v1/CompareManyResponse';
import type { CompareRequest as _aurum_ml_v1_CompareRequest, CompareRequest__Output as _aurum_ml_v1_CompareRequest__Output } from './aurum/ml/v1/CompareRequest';
import type { CompareResponse as _aurum_ml_v1_CompareResponse, CompareResponse__Output as _aurum_ml_v1_CompareResponse__Output } from './aurum/ml/v1/CompareResponse';
import type { Embedding as _aurum_ml_v1_Embedding, Embedding__Output as _aurum_ml_v1_Embedding__Output } from './aurum/ml/v1/Embedding';
import type { Match as _aurum_ml_v1_Match, Match__Output as _aurum_ml_v1_Match__Output } from './aurum/ml/v1/Match';
import type { SimilarityClient as _aurum_ml_v1_SimilarityClient, SimilarityDefinition as _aurum_ml_v1_SimilarityDefinition } from './aurum/ml/v1/Similarity';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  aurum: {
    ml: {
      v1: {
        CompareManyRequest: MessageTypeDefinition<_aurum_ml_v1_CompareManyRequest, _aurum_ml_v1_CompareManyRequest__Output>
        CompareManyResponse: MessageTypeDefinition<_aurum_ml_v1_CompareManyResponse, _aurum_ml_v1_CompareManyResponse__Output>
        CompareRequest: MessageTypeDefinition<_aurum_ml_v1_CompareRequest, _aurum_ml_v1_CompareRequest__Output>
        CompareResponse: MessageTypeDefinition<_aurum_ml_v1_CompareResponse, _aurum_ml_v1_CompareResponse__Output>
        Embedding: MessageTypeDefinition<_aurum_ml_v1_Embedding, _aurum_ml_v1_Embedding__Output>
        Match: MessageTypeDefinition<_aurum_ml_v1_Match, _aurum_ml_v1_Match__Output>
        Metric: EnumTypeDefinition
        Similarity: SubtypeConstructor<typeof grpc.Client, _aurum_ml_v1_SimilarityClient> & { service: _aurum_ml_v1_SimilarityDefinition }
      }
    }
  }
}

