// AWS rest-xml protocol (Route 53): route by method + requestUri, bind uri/query/header/XML body members.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/model.h"
#include "base/result.h"

namespace zk::aws {

// The operation whose http.method and requestUri match the request, or kUnimplemented. Path segments match
// literally or bind a {Label} (one segment) / {Label+} (one or more); a trailing slash is ignored on both
// sides (botocore and Go POST ".../rrset/", JS ".../rrset"); a fixed query part of the requestUri
// ("?tagging") must be present. When several operations match, the one with most literal segments wins.
Result<const Operation*> findRestXmlOperation(const ServiceModel& model, std::string_view method,
                                              std::string_view raw_path, std::string_view raw_query);

// Decodes a rest-xml call into {operation, input}. Members are bound by location: uri labels
// (percent-decoded), querystring (lists: repeated keys; maps: the remaining parameters), header (via
// `headers`, case-insensitive), and the XML body: the root element must be the input reference's
// locationName (e.g. <ChangeResourceRecordSetsRequest>); children in any order; entities and character
// references (&quot; &#34;) decoded; lists by wrapper + member locationName or flattened; unknown elements
// ignored; numbers and booleans validated. Then required/enum/length/range constraints are checked.
// Errors: kUnimplemented (no route; 404 UnknownOperationException), kInvalidArgument (400 InvalidInput)
// with an AWS-style message. DOCTYPEs are skipped by pugixml and entities are never expanded.
Result<OperationRequest> parseRestXmlRequest(const ServiceModel& model, std::string_view method,
                                             std::string_view raw_path, std::string_view raw_query,
                                             const HeaderLookup& headers, std::string_view body);

// Serializes a successful response. Body: <?xml version="1.0" encoding="UTF-8"?> then the root element
// named by the output reference's locationName or the output shape name ("GetHostedZoneResponse") with
// xmlns="https://route53.amazonaws.com/doc/2013-04-01/", members in MODEL order, list wrappers with member
// names, timestamps "2024-01-02T03:04:05.000Z", booleans "true"/"false". Members with location "header"
// become response headers (CreateHostedZone: Location). Sets status = http.responseCode (CreateHostedZone:
// 201, else 200), Content-Type text/xml and x-amzn-RequestId. Unknown members or wrong value types in
// `output` are kInternal (a bug in the caller).
Result<std::string> serializeRestXmlResponse(const ServiceModel& model, const std::string& operation,
                                             const nlohmann::json& output, std::string_view request_id,
                                             ResponseHeaders& out_headers);

// Error body as Route 53 sends it and botocore's RestXMLParser reads it:
//   <?xml version="1.0" encoding="UTF-8"?>
//   <ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type>
//   <Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: Z123</Message></Error>
//   <RequestId>id</RequestId></ErrorResponse>
// InvalidChangeBatch uses this form too, its Message being "[msg1, msg2]" as Route 53 prints it: botocore
// reads only ErrorResponse (an <InvalidChangeBatch> root would reach boto3/certbot as code "").
// Sets the error's status, Content-Type text/xml and x-amzn-RequestId.
std::string serializeRestXmlError(const ServiceModel& model, const AwsError& error,
                                  std::string_view request_id, ResponseHeaders& out_headers);

// Route 53's other InvalidChangeBatch body, understood by the Go SDK v1 (lego) and the Kotlin/Java SDKs:
//   <InvalidChangeBatch xmlns="..."><Messages><Message>m1</Message>...</Messages><RequestId>id</RequestId>
//   </InvalidChangeBatch>
// `error.messages` (or, if empty, error.message) become the <Message> elements.
std::string serializeInvalidChangeBatchXml(const ServiceModel& model, const AwsError& error,
                                           std::string_view request_id, ResponseHeaders& out_headers);

}  // namespace zk::aws
