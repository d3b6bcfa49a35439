export declare const Metric: {
    readonly METRIC_UNSPECIFIED: "METRIC_UNSPECIFIED";
    readonly METRIC_COSINE: "METRIC_COSINE";
    readonly METRIC_EUCLIDEAN: "METRIC_EUCLIDEAN";
};
export type Metric = 'METRIC_UNSPECIFIED' | 0 | 'METRIC_COSINE' | 1 | 'METRIC_EUCLIDEAN' | 2;
export type Metric__Output = typeof Metric[keyof typeof Metric];
