// Botocore service models (service-2.json) loaded into an indexed, immutable form that drives the codecs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace zk::aws {

// The wire protocols of the four services we speak (metadata.protocol in the model).
enum class Protocol { kRestXml, kJson, kQuery };

enum class ShapeType {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kBoolean,
  kDouble,
  kFloat,
  kTimestamp,
  kBlob
};

// timestampFormat trait; kDefault means "the protocol/location default" (botocore rules:
// rest-xml body and query: iso8601, json body: unixTimestamp, headers: rfc822, query string: iso8601).
enum class TimestampFormat { kDefault, kIso8601, kRfc822, kUnixTimestamp };

// Where a member of an input/output structure travels (the "location" trait; kBody when absent).
enum class Location { kBody, kUri, kQueryString, kHeader, kHeaders, kStatusCode };

struct Shape;

// A reference to a shape plus the serialization traits set on the reference (member, list member, map
// key/value, operation input/output). Reference traits override the target shape's own traits, as in
// botocore's ShapeResolver.
struct ShapeRef {
  const Shape* shape = nullptr;
  std::string shape_name;
  Location location = Location::kBody;
  std::string location_name;  // wire name: XML element, JSON key, query key, header or URI label
  bool flattened = false;     // XML/query list or map without a wrapper element
  bool xml_attribute = false;
  std::string xml_namespace_uri;  // xmlNamespace.uri (Route 53 input references carry it)
  std::string xml_namespace_prefix;
  std::string result_wrapper;  // query protocol output reference: <OpResult> element
  TimestampFormat timestamp_format = TimestampFormat::kDefault;
};

struct Member {
  std::string name;  // member name, the key used in the nlohmann::json value tree
  ShapeRef ref;
  bool required = false;
};

// Modeled error trait: "error": {"code", "httpStatusCode", "senderFault"}.
struct ErrorTrait {
  std::string code;  // empty: the shape name is the code
  int http_status = 400;
  bool sender_fault = true;
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;
  // structure
  std::vector<Member> members;  // in model order (XML output order)
  std::string payload;          // member bound to the whole body, if any
  // list / map
  ShapeRef member;  // list element
  ShapeRef key;     // map key
  ShapeRef value;   // map value
  bool flattened = false;
  // scalars
  std::vector<std::string> enum_values;
  std::optional<double> min;  // length for strings/blobs/lists/maps, value for numbers
  std::optional<double> max;
  TimestampFormat timestamp_format = TimestampFormat::kDefault;
  // errors
  bool exception = false;
  std::optional<ErrorTrait> error;

  // Member by member name, or nullptr.
  const Member* findMember(std::string_view member_name) const;
};

// One '/'-separated segment of a requestUri path: literal text or a {Label} / greedy {Label+}.
struct UriSegment {
  std::string text;  // literal text, or the label name without braces and '+'
  bool is_label = false;
  bool greedy = false;
};

struct Operation {
  std::string name;
  std::string http_method;  // "GET", "POST", ...
  std::string request_uri;  // "/2013-04-01/hostedzone/{Id}/rrset/"
  int response_code = 200;  // http.responseCode (CreateHostedZone: 201)
  // requestUri parsed for routing: path segments (a trailing slash is not kept, so "/x/rrset/" and
  // "/x/rrset" route alike) and the fixed query part ("?tagging" -> {"tagging", ""}).
  std::vector<UriSegment> path_segments;
  std::vector<std::pair<std::string, std::string>> fixed_query;
  std::optional<ShapeRef> input;
  std::optional<ShapeRef> output;
  std::vector<const Shape*> errors;
};

struct ServiceMetadata {
  Protocol protocol = Protocol::kRestXml;
  std::string api_version;      // "2013-04-01"
  std::string endpoint_prefix;  // "route53"
  std::string signing_name;     // signingName, else endpointPrefix
  std::string service_id;       // "Route 53"
  std::string target_prefix;    // json: "CertificateManager"
  std::string json_version;     // json: "1.1"
  std::string xml_namespace;    // query: metadata.xmlNamespace; rest-xml: from input references
};

// One operation call decoded from the wire: the operation name and its input as a value tree.
//
// Value tree (nlohmann::json) conventions, shared by all codecs:
//   structure -> object keyed by MEMBER name (not wire name); absent/null members are omitted
//   list -> array; map -> object
//   string -> string; integer/long -> integer; double/float -> number; boolean -> bool
//   blob -> base64 string (as on the wire)
//   timestamp -> number of seconds since the Unix epoch (integer when whole, else fractional with
//                millisecond precision). Serializers also accept an ISO 8601 / RFC 3339 string.
struct OperationRequest {
  std::string operation;
  nlohmann::json input = nlohmann::json::object();
};

// Case-insensitive request header lookup supplied by the HTTP layer (the aws module knows no HTTP types).
// Returns the (first) value of the header, or nullopt.
using HeaderLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

// Status, Content-Type and other headers a codec sets on a response. The caller writes them out.
struct ResponseHeaders {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> fields;

  void set(std::string name, std::string value);  // replaces a field of the same (case-insensitive) name
  const std::string* find(std::string_view name) const;  // case-insensitive
};

// An immutable, indexed service model. Thread-safe after construction (read-only). Shapes and operations
// are owned by the model; pointers into it stay valid for its lifetime.
class ServiceModel {
 public:
  // Parses a botocore service-2.json document (documentation may be stripped).
  static Result<std::shared_ptr<const ServiceModel>> parse(std::string_view json_text);
  // Parses one of the models embedded at build time: "route53", "acm", "sts", "iam".
  static Result<std::shared_ptr<const ServiceModel>> loadEmbedded(std::string_view service);
  // loadEmbedded() once per process and service, shared by every caller; null (after the first
  // failure, which a build with the model embedded never has) when it cannot be parsed. Thread-safe.
  static std::shared_ptr<const ServiceModel> embedded(std::string_view service);

  ServiceModel(const ServiceModel&) = delete;
  ServiceModel& operator=(const ServiceModel&) = delete;

  const ServiceMetadata& metadata() const { return metadata_; }
  Protocol protocol() const { return metadata_.protocol; }
  const std::vector<std::unique_ptr<Operation>>& operations() const { return operations_; }
  const Operation* findOperation(std::string_view name) const;
  const Shape* findShape(std::string_view name) const;
  // Error shape (exception: true) by shape name or by its error.code (IAM "NoSuchEntity").
  const Shape* findErrorShape(std::string_view code) const;
  size_t shapeCount() const { return shapes_.size(); }

  // Validates a value tree against a shape: required members, enums, min/max lengths and ranges.
  // Returns InvalidArgument with an AWS-style message ("1 validation error detected: Value null at
  // 'changeBatch' failed to satisfy constraint: Member must not be null"). Types are assumed checked by
  // the decoder that built the value. The 'pattern' trait is not checked.
  Status validate(const ShapeRef& ref, const nlohmann::json& value) const;

 private:
  ServiceModel() = default;

  ServiceMetadata metadata_;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::vector<std::unique_ptr<Operation>> operations_;
  std::map<std::string, const Operation*, std::less<>> operation_index_;
  std::map<std::string, const Shape*, std::less<>> error_index_;
};

// The embedded model documents (minified JSON with documentation stripped), generated at build time by
// tools/embed_models.py from python3-botocore. Empty view if the service is not embedded.
std::string_view embeddedModelJson(std::string_view service);
std::vector<std::string> embeddedModelNames();

// ---- helpers shared by the codecs ----

// The wire name of a reference: location_name if set, else the given default (usually the member name).
std::string_view wireName(const ShapeRef& ref, std::string_view default_name);
// Effective timestamp format of a reference: its own trait, the shape's, else the given default.
TimestampFormat effectiveTimestampFormat(const ShapeRef& ref, TimestampFormat protocol_default);
bool isFlattened(const ShapeRef& ref);
std::string_view shapeTypeName(ShapeType t);

// Converts wire text (XML text, URI label, query string or header value) into a value of the scalar
// shape (string, numbers, boolean, timestamp, blob). `where` names the value in error messages.
Result<nlohmann::json> scalarFromText(const ShapeRef& ref, std::string_view text,
                                      TimestampFormat default_format, std::string_view where);
// Renders a scalar value as wire text for XML, headers and query strings. Accepts the value-tree forms
// above (timestamps also as ISO 8601 strings; integers for string shapes).
Result<std::string> scalarToText(const ShapeRef& ref, const nlohmann::json& value,
                                 TimestampFormat default_format, std::string_view where);
// RFC 3629 well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool isValidUtf8(std::string_view text);
// Length of the well-formed UTF-8 sequence at the start of `text`, or 0 if it is not one.
size_t utf8SequenceLength(std::string_view text);
// True if `text` is canonical-or-unpadded base64 (RFC 4648 §4); sets decoded length.
bool isBase64(std::string_view text, size_t* decoded_len = nullptr);
// AWS validation path component: member name with its first letter lowercased ("TTL" -> "tTL").
std::string validationName(std::string_view member_name);

}  // namespace zk::aws
