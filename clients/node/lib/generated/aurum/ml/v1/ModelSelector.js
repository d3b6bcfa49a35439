"use strict";
// Original file: protos/aurum/ml/v1/common.proto
Object.defineProperty(exports, "__esModule", { value: true });
