// AWS query protocol (STS, IAM): form-encoded Action/Version/params in, <OpResponse> XML out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/aws_error.h"
#include "aws/model.h"
#include "base/result.h"

namespace zk::aws {

// Percent-decodes (RFC 3986 §2.1); with plus_as_space also '+' -> ' ' (application/x-www-form-urlencoded,
// HTML §4.10.21.7 / WHATWG URL "application/x-www-form-urlencoded parser"). Bad escapes are InvalidArgument.
Result<std::string> percentDecode(std::string_view text, bool plus_as_space);

// Splits "a=1&b=&c" into decoded (name, value) pairs in order; '+' is a space. Empty parts are skipped.
Result<std::vector<std::pair<std::string, std::string>>> parseFormUrlEncoded(std::string_view text);

// Decodes a query-protocol call. Parameters come from the URL query string (GET) and the form body
// (POST, Content-Type application/x-www-form-urlencoded; the caller passes an empty body otherwise); a body
// parameter wins over a query parameter of the same name. Action selects the operation; Version, when
// present, must equal the model's apiVersion. Input members follow botocore's QuerySerializer: structure
// members "A.B", lists "L.member.N" (or the member locationName; flattened "L.N"), maps
// "M.entry.N.key"/"M.entry.N.value", booleans "true"/"false", timestamps ISO 8601, blobs base64.
// Unknown parameters are ignored. Errors: missing/unknown Action or wrong Version -> kUnimplemented
// (InvalidAction); bad values and constraint failures -> kInvalidArgument (ValidationError).
Result<OperationRequest> parseQueryRequest(const ServiceModel& model, std::string_view raw_query,
                                           std::string_view form_body);

// Serializes a successful response:
//   <?xml version="1.0" encoding="UTF-8"?>
//   <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>...
//   </AssumeRoleResult><ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></AssumeRoleResponse>
// The Result element is the output reference's resultWrapper (omitted for operations without output).
// Sets status 200, Content-Type text/xml and x-amzn-RequestId in out_headers.
Result<std::string> serializeQueryResponse(const ServiceModel& model, const std::string& operation,
                                           const nlohmann::json& output, std::string_view request_id,
                                           ResponseHeaders& out_headers);

// <ErrorResponse xmlns="..."><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error>
// <RequestId>..</RequestId></ErrorResponse>, with the error's status, Content-Type text/xml,
// x-amzn-RequestId.
std::string serializeQueryError(const ServiceModel& model, const AwsError& error, std::string_view request_id,
                                ResponseHeaders& out_headers);

}  // namespace zk::aws
