"use strict";
// Original file: clients/node/health.proto
Object.defineProperty(exports, "__esModule", { value: true });
