// AWS error values and the one table mapping zk::Code to a default AWS error per protocol.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/model.h"
#include "base/result.h"

namespace zk::aws {

// An error as the client sees it. `type` is "Sender" (4xx) or "Receiver" (5xx) in XML error bodies.
struct AwsError {
  int http_status = 400;
  std::string code;
  std::string message;
  std::string type = "Sender";
  // Route 53 InvalidChangeBatch: one message per failed change (see serializeRestXmlError).
  std::vector<std::string> messages;
};

// An error with the given status and code; type follows the status (>= 500: Receiver).
AwsError makeAwsError(int http_status, std::string code, std::string message);

// An error for a modeled error shape of the service, e.g. modeledError(route53, "NoSuchHostedZone", "No
// hosted zone found with ID: Z1") -> 404 NoSuchHostedZone, or (iam, "NoSuchEntityException", ...) -> 404
// NoSuchEntity. Status and code come from the shape's "error" trait (code defaults to the shape name, status
// to 400). An unknown shape name yields 500 InternalFailure naming it, so a typo is loud in tests.
AwsError modeledError(const ServiceModel& model, std::string_view shape_name, std::string message);

// Route 53 InvalidChangeBatch (400) carrying one message per rejected change.
AwsError invalidChangeBatch(std::vector<std::string> messages);

// THE table: the default AWS error for a canonical code, by protocol. Services use modeledError() when
// the model has a specific error; codecs return these codes for request problems:
//   kInvalidArgument -> validation error (bad XML/JSON/form, wrong type, constraint, missing member)
//   kUnimplemented   -> unknown operation / route (no operation matches, or not implemented)
//
//   code               | rest-xml (Route 53)              | json (ACM)                         | query (STS,
//   IAM) kInvalidArgument   | 400 InvalidInput                 | 400 ValidationException            | 400
//   ValidationError kOutOfRange        | 400 InvalidInput                 | 400 ValidationException | 400
//   ValidationError kNotFound          | 404 NotFound                     | 400 ResourceNotFoundException |
//   404 NoSuchEntity kAlreadyExists     | 409 AlreadyExists                | 400 ConflictException | 409
//   EntityAlreadyExists kFailedPrecondition| 400 InvalidInput                 | 400 InvalidStateException |
//   400 ValidationError kPermissionDenied  | 403 AccessDenied                 | 400 AccessDeniedException |
//   403 AccessDenied kUnauthenticated   | 403 InvalidClientTokenId         | 400 UnrecognizedClientException
//   | 403 InvalidClientTokenId kResourceExhausted | 400 Throttling                   | 400
//   ThrottlingException            | 400 Throttling kUnimplemented     | 404 UnknownOperationException    |
//   400 UnknownOperationException      | 400 InvalidAction kUnavailable       | 503 ServiceUnavailable | 503
//   ServiceUnavailable             | 503 ServiceUnavailable kInternal / kOk    | 500 InternalFailure | 500
//   InternalFailure                | 500 InternalFailure
// The message is the Status message.
AwsError errorFromStatus(const Status& status, Protocol protocol);

}  // namespace zk::aws
