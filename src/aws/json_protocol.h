// AWS JSON 1.1 protocol (ACM): X-Amz-Target selects the operation, JSON body in and out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/model.h"
#include "base/result.h"

namespace zk::aws {

// Decodes a JSON-protocol call. `target_header` is the X-Amz-Target value
// ("CertificateManager.RequestCertificate": metadata.targetPrefix + "." + operation). The body is a JSON
// object (empty body = {}); keys are member names (or locationName); null members are absent; unknown keys
// are ignored; types are checked against the input shape (timestamps: epoch seconds or ISO 8601 string;
// blobs: base64), then required/enum/length/range constraints. Errors: unknown or malformed target ->
// kUnimplemented (400 UnknownOperationException); bad JSON, wrong types, constraint failures ->
// kInvalidArgument (400 ValidationException). Nesting deeper than 64 levels is rejected before parsing.
Result<OperationRequest> parseJsonRequest(const ServiceModel& model, std::string_view target_header,
                                          std::string_view body);

// Serializes a successful response body from the output shape (keys in model order, timestamps as epoch
// seconds numbers, "{}" for operations without output). Sets status 200, Content-Type
// application/x-amz-json-<jsonVersion> and x-amzn-RequestId. Unknown members / wrong types: kInternal.
Result<std::string> serializeJsonResponse(const ServiceModel& model, const std::string& operation,
                                          const nlohmann::json& output, std::string_view request_id,
                                          ResponseHeaders& out_headers);

// {"__type":"ResourceNotFoundException","message":"..."} with the error's status, x-amzn-ErrorType,
// Content-Type and x-amzn-RequestId (what botocore's BaseJSONParser._do_error_parse reads).
std::string serializeJsonError(const ServiceModel& model, const AwsError& error, std::string_view request_id,
                               ResponseHeaders& out_headers);

}  // namespace zk::aws
