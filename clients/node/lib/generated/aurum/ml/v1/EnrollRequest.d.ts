import type { Image as _aurum_ml_v1_Image, Image__Output as _aurum_ml_v1_Image__Output } from '../../../aurum/ml/v1/Image';
import type { Embedding as _aurum_ml_v1_Embedding, Embedding__Output as _aurum_ml_v1_Embedding__Output } from '../../../aurum/ml/v1/Embedding';
import type { Detector as _aurum_ml_v1_Detector, Detector__Output as _aurum_ml_v1_Detector__Output } from '../../../aurum/ml/v1/Detector';
export interface EnrollRequest {
    'gallery'?: (string);
    'subject_id'?: (string);
    'image'?: (_aurum_ml_v1_Image | null);
    'embedding'?: (_aurum_ml_v1_Embedding | null);
    'metadata'?: ({
        [key: string]: string;
    });
    'all_faces'?: (boolean);
    'aligned'?: (boolean);
    'detector'?: (_aurum_ml_v1_Detector);
    'input'?: "image" | "embedding";
}
export interface EnrollRequest__Output {
    'gallery': (string);
    'subject_id': (string);
    'image'?: (_aurum_ml_v1_Image__Output | null);
    'embedding'?: (_aurum_ml_v1_Embedding__Output | null);
    'metadata': ({
        [key: string]: string;
    });
    'all_faces': (boolean);
    'aligned': (boolean);
    'detector': (_aurum_ml_v1_Detector__Output);
    'input'?: "image" | "embedding";
}
