"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.legacy = exports.Metadata = exports.status = exports.SERVICE_NAMES = exports.serviceConfig = exports.channelOptions = exports.createClient = void 0;
// @aurum-ml/client: the aurum-ml gRPC services, typed and promise-based.
var client_1 = require("./client");
Object.defineProperty(exports, "createClient", { enumerable: true, get: function () { return client_1.createClient; } });
Object.defineProperty(exports, "channelOptions", { enumerable: true, get: function () { return client_1.channelOptions; } });
Object.defineProperty(exports, "serviceConfig", { enumerable: true, get: function () { return client_1.serviceConfig; } });
Object.defineProperty(exports, "SERVICE_NAMES", { enumerable: true, get: function () { return client_1.SERVICE_NAMES; } });
var grpc_js_1 = require("@grpc/grpc-js");
Object.defineProperty(exports, "status", { enumerable: true, get: function () { return grpc_js_1.status; } });
Object.defineProperty(exports, "Metadata", { enumerable: true, get: function () { return grpc_js_1.Metadata; } });
exports.legacy = require("./legacy");
