"use strict";
// Original file: protos/aurum/ml/v1/models.proto
Object.defineProperty(exports, "__esModule", { value: true });
