export declare const Detector: {
    readonly DETECTOR_UNSPECIFIED: "DETECTOR_UNSPECIFIED";
    readonly DETECTOR_SCRFD: "DETECTOR_SCRFD";
    readonly DETECTOR_MTCNN: "DETECTOR_MTCNN";
    readonly DETECTOR_YUNET: "DETECTOR_YUNET";
};
export type Detector = 'DETECTOR_UNSPECIFIED' | 0 | 'DETECTOR_SCRFD' | 1 | 'DETECTOR_MTCNN' | 2 | 'DETECTOR_YUNET' | 3;
export type Detector__Output = typeof Detector[keyof typeof Detector];
