// AWS error values and the one table mapping zk::Code to a default AWS error per protocol.
#include "aws/aws_error.h"

namespace zk::aws {
namespace {

struct Row {
  Code code;
  int rest_xml_status;
  const char* rest_xml_code;
  int json_status;
  const char* json_code;
  int query_status;
  const char* query_code;
};

// Sources: AWS "Common Errors" (e.g.
// https://docs.aws.amazon.com/Route53/latest/APIReference/CommonErrors.html: InvalidAction 400,
// InvalidClientTokenId 403, InternalFailure 500, ServiceUnavailable 503, ThrottlingException 400,
// ValidationError 400); Route 53 answers bad parameters with InvalidInput 400
// (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html, "Errors");
// JSON-protocol services answer an unknown X-Amz-Target with 400 {"__type":"UnknownOperationException"}
// (seen from CloudWatch Logs, github.com/aws/aws-sdk-net/issues/1536); IAM NoSuchEntity 404 and
// EntityAlreadyExists 409 come from the IAM model's error traits.
constexpr Row kTable[] = {
    {Code::kInvalidArgument, 400, "InvalidInput", 400, "ValidationException", 400, "ValidationError"},
    {Code::kOutOfRange, 400, "InvalidInput", 400, "ValidationException", 400, "ValidationError"},
    {Code::kNotFound, 404, "NotFound", 400, "ResourceNotFoundException", 404, "NoSuchEntity"},
    {Code::kAlreadyExists, 409, "AlreadyExists", 400, "ConflictException", 409, "EntityAlreadyExists"},
    {Code::kFailedPrecondition, 400, "InvalidInput", 400, "InvalidStateException", 400, "ValidationError"},
    {Code::kPermissionDenied, 403, "AccessDenied", 400, "AccessDeniedException", 403, "AccessDenied"},
    {Code::kUnauthenticated, 403, "InvalidClientTokenId", 400, "UnrecognizedClientException", 403,
     "InvalidClientTokenId"},
    {Code::kResourceExhausted, 400, "Throttling", 400, "ThrottlingException", 400, "Throttling"},
    {Code::kUnimplemented, 404, "UnknownOperationException", 400, "UnknownOperationException", 400,
     "InvalidAction"},
    {Code::kUnavailable, 503, "ServiceUnavailable", 503, "ServiceUnavailable", 503, "ServiceUnavailable"},
    {Code::kInternal, 500, "InternalFailure", 500, "InternalFailure", 500, "InternalFailure"},
};

}  // namespace

AwsError makeAwsError(int http_status, std::string code, std::string message) {
  AwsError e;
  e.http_status = http_status;
  e.code = std::move(code);
  e.message = std::move(message);
  e.type = http_status >= 500 ? "Receiver" : "Sender";
  return e;
}

AwsError modeledError(const ServiceModel& model, std::string_view shape_name, std::string message) {
  const Shape* s = model.findErrorShape(shape_name);
  if (s == nullptr) {
    return makeAwsError(500, "InternalFailure",
                        "unmodeled error '" + std::string(shape_name) + "': " + message);
  }
  AwsError e = makeAwsError(400, s->name, std::move(message));
  if (s->error) {
    if (!s->error->code.empty()) e.code = s->error->code;
    e.http_status = s->error->http_status;
    e.type = s->error->sender_fault ? "Sender" : "Receiver";
  }
  return e;
}

AwsError invalidChangeBatch(std::vector<std::string> messages) {
  std::string joined;
  for (const auto& m : messages) joined += (joined.empty() ? "" : ", ") + m;
  AwsError e = makeAwsError(400, "InvalidChangeBatch", "[" + joined + "]");
  e.messages = std::move(messages);
  return e;
}

AwsError errorFromStatus(const Status& status, Protocol protocol) {
  for (const Row& r : kTable) {
    if (r.code != status.code()) continue;
    switch (protocol) {
      case Protocol::kRestXml:
        return makeAwsError(r.rest_xml_status, r.rest_xml_code, status.message());
      case Protocol::kJson:
        return makeAwsError(r.json_status, r.json_code, status.message());
      case Protocol::kQuery:
        return makeAwsError(r.query_status, r.query_code, status.message());
    }
  }
  return makeAwsError(500, "InternalFailure", status.message());
}

}  // namespace zk::aws
