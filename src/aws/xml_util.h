// XML codec of model shapes shared by rest-xml (Route 53) and query (STS, IAM): writer and reader.
#pragma once

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/model.h"
#include "base/result.h"

namespace zk::aws {

// Appends text escaped for XML 1.0 (§2.4 character data: &, <, > and CR as &#13; so it survives end-of-line
// normalisation; in attribute values also "). Quotes in text stay literal, as in Route 53's own TXT values.
// Malformed UTF-8 and characters XML 1.0 forbids (C0 controls but TAB/LF/CR, U+FFFE/U+FFFF) become U+FFFD.
void appendXmlEscaped(std::string& out, std::string_view text, bool attribute = false);

// Minimal streaming XML writer; element names come from the model, values are escaped.
class XmlWriter {
 public:
  // <?xml version="1.0" encoding="UTF-8"?>
  void prolog();
  void open(std::string_view name, std::string_view xmlns = {});
  void close(std::string_view name);
  void textElement(std::string_view name, std::string_view text);
  void emptyElement(std::string_view name);
  std::string& buffer() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Serializes a value as the element(s) for a member named `name` (botocore XML rules: list wrappers with
// member names or flattened repetition, map entry/key/value, timestamps ISO 8601). Structure members come
// out in model order; members with a non-body location are skipped (the caller handles headers).
// `where` is the value's path for error messages. Unknown members or wrong types are Internal errors.
Status writeXmlValue(XmlWriter& w, const ShapeRef& ref, std::string_view name, const nlohmann::json& value,
                     const std::string& where);
// Writes the body members of a structure value (no enclosing element).
Status writeXmlMembers(XmlWriter& w, const Shape& shape, const nlohmann::json& value,
                       const std::string& where);

// Element name without a namespace prefix ("ns:Name" -> "Name").
std::string_view xmlLocalName(const pugi::xml_node& node);

// Reads the body members of a structure from the children of `node` into `out` (botocore XML rules,
// element order free, unknown elements ignored, repeated non-list elements rejected). Type errors are
// InvalidArgument naming the AWS validation path.
Status readXmlMembers(const Shape& shape, const pugi::xml_node& node, nlohmann::json& out,
                      const std::string& where, int depth = 0);
// Reads one value of shape `ref` from element `node`.
Result<nlohmann::json> readXmlValue(const ShapeRef& ref, const pugi::xml_node& node, const std::string& where,
                                    int depth = 0);

// The <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse> body that
// both rest-xml (Route 53) and query (STS, IAM) services answer errors with; sets status,
// Content-Type and x-amzn-RequestId in `out_headers`.
std::string writeXmlErrorResponse(std::string_view xml_namespace, const AwsError& error,
                                  std::string_view request_id, ResponseHeaders& out_headers);
// The headers of every XML error body: status, Content-Type text/xml, x-amzn-RequestId.
void setXmlErrorHeaders(int http_status, std::string_view request_id, ResponseHeaders& out_headers);

}  // namespace zk::aws
