export declare const Detector: {
    readonly DETECTOR_UNSPECIFIED: "DETECTOR_UNSPECIFIED";
    readonly DETECTOR_SCRFD: "DETECTOR_SCRFD";
    readonly DETECTOR_MTCNN: "DETECTOR_MTCNN";
};
export type Detector = 'DETECTOR_UNSPECIFIED' | 0 | 'DETECTOR_SCRFD' | 1 | 'DETECTOR_MTCNN' | 2;
export type Detector__Output = typeof Detector[keyof typeof Detector];
