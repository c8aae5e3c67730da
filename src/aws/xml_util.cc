// XML codec of model shapes shared by rest-xml (Route 53) and query (STS, IAM): writer and reader.
#include "aws/xml_util.h"

#include <map>
#include <vector>

namespace zk::aws {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;

std::string childPath(const std::string& where, std::string_view member) {
  return where.empty() ? validationName(member) : where + "." + validationName(member);
}

// Character data of a scalar element: its PCDATA and CDATA children. Element children are an error.
Result<std::string> elementText(const pugi::xml_node& node, const std::string& where) {
  std::string text;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      text += c.value();
    } else if (c.type() == pugi::node_element) {
      return invalidArgument("Value at '" + where + "' must be text, found element <" +
                             std::string(xmlLocalName(c)) + ">");
    }
  }
  return text;
}

using ChildIndex = std::map<std::string_view, std::vector<pugi::xml_node>, std::less<>>;

ChildIndex indexChildren(const pugi::xml_node& node) {
  ChildIndex idx;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) idx[xmlLocalName(c)].push_back(c);
  }
  return idx;
}

Status readMapEntry(const Shape& map_shape, const pugi::xml_node& entry, json& out, const std::string& where,
                    int depth) {
  const std::string_view key_name = wireName(map_shape.key, "key");
  const std::string_view value_name = wireName(map_shape.value, "value");
  pugi::xml_node key_node, value_node;
  for (pugi::xml_node c = entry.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (xmlLocalName(c) == key_name) key_node = c;
    if (xmlLocalName(c) == value_name) value_node = c;
  }
  if (!key_node)
    return invalidArgument("Map entry at '" + where + "' has no <" + std::string(key_name) + ">");
  auto key_text = elementText(key_node, where);
  if (!key_text.ok()) return key_text.status();
  auto key_value = scalarFromText(map_shape.key, *key_text, TimestampFormat::kIso8601, where);
  if (!key_value.ok()) return key_value.status();
  if (!key_value->is_string()) return invalidArgument("Map key at '" + where + "' must be a string");
  const std::string key = key_value->get<std::string>();
  if (!value_node) {
    out[key] = nullptr;
    return Status::ok();
  }
  auto v = readXmlValue(map_shape.value, value_node, where + "." + key, depth + 1);
  if (!v.ok()) return v.status();
  out[key] = std::move(v).value();
  return Status::ok();
}

void openTag(std::string& out, std::string_view name,
             const std::vector<std::pair<std::string, std::string>>& attrs) {
  out += '<';
  out += name;
  for (const auto& [k, v] : attrs) {
    out += ' ';
    out += k;
    out += "=\"";
    appendXmlEscaped(out, v, true);
    out += '"';
  }
  out += '>';
}

}  // namespace

void appendXmlEscaped(std::string& out, std::string_view text, bool attribute) {
  while (!text.empty()) {
    const char ch = text.front();
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      // Well-formed UTF-8 passes through; anything else, and U+FFFE/U+FFFF, become U+FFFD (XML 1.0 §2.2).
      const size_t n = utf8SequenceLength(text);
      const bool nonchar = n == 3 && c == 0xEF && static_cast<unsigned char>(text[1]) == 0xBF &&
                           static_cast<unsigned char>(text[2]) >= 0xBE;
      if (n == 0 || nonchar) {
        out += "\xEF\xBF\xBD";
        text.remove_prefix(n == 0 ? 1 : n);
      } else {
        out.append(text.substr(0, n));
        text.remove_prefix(n);
      }
      continue;
    }
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        // XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | ...
        if (c < 0x20 && ch != '\t' && ch != '\n') {
          out += "\xEF\xBF\xBD";
        } else {
          out += ch;
        }
    }
    text.remove_prefix(1);
  }
}

void XmlWriter::prolog() { out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"; }

void XmlWriter::open(std::string_view name, std::string_view xmlns) {
  out_ += '<';
  out_ += name;
  if (!xmlns.empty()) {
    out_ += " xmlns=\"";
    appendXmlEscaped(out_, xmlns, true);
    out_ += '"';
  }
  out_ += '>';
}

void XmlWriter::close(std::string_view name) {
  out_ += "</";
  out_ += name;
  out_ += '>';
}

void XmlWriter::textElement(std::string_view name, std::string_view text) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  appendXmlEscaped(out_, text);
  close(name);
}

void XmlWriter::emptyElement(std::string_view name) {
  out_ += '<';
  out_ += name;
  out_ += "/>";
}

std::string_view xmlLocalName(const pugi::xml_node& node) {
  std::string_view n = node.name();
  if (auto colon = n.find(':'); colon != std::string_view::npos) n.remove_prefix(colon + 1);
  return n;
}

Status writeXmlMembers(XmlWriter& w, const Shape& shape, const json& value, const std::string& where) {
  if (!value.is_object()) return internalError("output value at '" + where + "' is not a structure");
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (shape.findMember(it.key()) == nullptr) {
      return internalError("output member '" + it.key() + "' is not in shape " + shape.name);
    }
  }
  for (const Member& m : shape.members) {
    if (m.ref.location != Location::kBody || m.ref.xml_attribute) continue;
    auto it = value.find(m.name);
    if (it == value.end() || it->is_null()) continue;
    ZK_RETURN_IF_ERROR(writeXmlValue(w, m.ref, wireName(m.ref, m.name), *it, childPath(where, m.name)));
  }
  return Status::ok();
}

Status writeXmlValue(XmlWriter& w, const ShapeRef& ref, std::string_view name, const json& value,
                     const std::string& where) {
  if (value.is_null()) return Status::ok();
  const Shape& s = *ref.shape;
  switch (s.type) {
    case ShapeType::kStructure: {
      if (!value.is_object()) return internalError("output value at '" + where + "' is not a structure");
      std::vector<std::pair<std::string, std::string>> attrs;
      if (!ref.xml_namespace_uri.empty()) {
        attrs.emplace_back(ref.xml_namespace_prefix.empty() ? "xmlns" : "xmlns:" + ref.xml_namespace_prefix,
                           ref.xml_namespace_uri);
      }
      for (const Member& m : s.members) {
        if (!m.ref.xml_attribute) continue;
        auto it = value.find(m.name);
        if (it == value.end() || it->is_null()) continue;
        auto text = scalarToText(m.ref, *it, TimestampFormat::kIso8601, childPath(where, m.name));
        if (!text.ok()) return text.status();
        attrs.emplace_back(std::string(wireName(m.ref, m.name)), std::move(text).value());
      }
      openTag(w.buffer(), name, attrs);
      ZK_RETURN_IF_ERROR(writeXmlMembers(w, s, value, where));
      w.close(name);
      return Status::ok();
    }
    case ShapeType::kList: {
      if (!value.is_array()) return internalError("output value at '" + where + "' is not a list");
      if (isFlattened(ref)) {
        const std::string_view item_name = wireName(s.member, name);
        for (size_t i = 0; i < value.size(); ++i) {
          ZK_RETURN_IF_ERROR(
              writeXmlValue(w, s.member, item_name, value[i], where + "." + std::to_string(i + 1)));
        }
        return Status::ok();
      }
      if (value.empty()) {
        w.emptyElement(name);
        return Status::ok();
      }
      const std::string_view item_name = wireName(s.member, "member");
      w.open(name);
      for (size_t i = 0; i < value.size(); ++i) {
        ZK_RETURN_IF_ERROR(
            writeXmlValue(w, s.member, item_name, value[i], where + "." + std::to_string(i + 1)));
      }
      w.close(name);
      return Status::ok();
    }
    case ShapeType::kMap: {
      if (!value.is_object()) return internalError("output value at '" + where + "' is not a map");
      const std::string_view key_name = wireName(s.key, "key");
      const std::string_view value_name = wireName(s.value, "value");
      const bool flat = isFlattened(ref);
      if (!flat) w.open(name);
      for (auto it = value.begin(); it != value.end(); ++it) {
        w.open(flat ? name : std::string_view("entry"));
        w.textElement(key_name, it.key());
        ZK_RETURN_IF_ERROR(writeXmlValue(w, s.value, value_name, it.value(), where + "." + it.key()));
        w.close(flat ? name : std::string_view("entry"));
      }
      if (!flat) w.close(name);
      return Status::ok();
    }
    default: {
      auto text = scalarToText(ref, value, TimestampFormat::kIso8601, where);
      if (!text.ok()) return text.status();
      w.textElement(name, *text);
      return Status::ok();
    }
  }
}

Status readXmlMembers(const Shape& shape, const pugi::xml_node& node, json& out, const std::string& where,
                      int depth) {
  if (depth > kMaxDepth) return invalidArgument("XML nested too deeply at '" + where + "'");
  const ChildIndex children = indexChildren(node);
  for (const Member& m : shape.members) {
    if (m.ref.location != Location::kBody) continue;
    const std::string path = childPath(where, m.name);
    const std::string_view wire = wireName(m.ref, m.name);
    if (m.ref.xml_attribute) {
      if (pugi::xml_attribute a = node.attribute(std::string(wire).c_str())) {
        auto v = scalarFromText(m.ref, a.value(), TimestampFormat::kIso8601, path);
        if (!v.ok()) return v.status();
        out[m.name] = std::move(v).value();
      }
      continue;
    }
    const ShapeType type = m.ref.shape->type;
    if ((type == ShapeType::kList || type == ShapeType::kMap) && isFlattened(m.ref)) {
      const std::string_view item_name =
          type == ShapeType::kList ? wireName(m.ref.shape->member, wire) : wire;
      auto it = children.find(item_name);
      if (it == children.end()) continue;
      json items = type == ShapeType::kList ? json::array() : json::object();
      for (size_t i = 0; i < it->second.size(); ++i) {
        if (type == ShapeType::kList) {
          auto v = readXmlValue(m.ref.shape->member, it->second[i],
                                path + "." + std::to_string(i + 1) + ".member", depth + 1);
          if (!v.ok()) return v.status();
          items.push_back(std::move(v).value());
        } else {
          ZK_RETURN_IF_ERROR(readMapEntry(*m.ref.shape, it->second[i], items, path, depth + 1));
        }
      }
      out[m.name] = std::move(items);
      continue;
    }
    auto it = children.find(wire);
    if (it == children.end()) continue;
    if (it->second.size() > 1) {
      return invalidArgument("Element <" + std::string(wire) + "> at '" + path + "' must not be repeated");
    }
    auto v = readXmlValue(m.ref, it->second.front(), path, depth + 1);
    if (!v.ok()) return v.status();
    out[m.name] = std::move(v).value();
  }
  return Status::ok();
}

Result<json> readXmlValue(const ShapeRef& ref, const pugi::xml_node& node, const std::string& where,
                          int depth) {
  if (depth > kMaxDepth) return invalidArgument("XML nested too deeply at '" + where + "'");
  const Shape& s = *ref.shape;
  switch (s.type) {
    case ShapeType::kStructure: {
      json obj = json::object();
      ZK_RETURN_IF_ERROR(readXmlMembers(s, node, obj, where, depth));
      return obj;
    }
    case ShapeType::kList: {
      // Non-flattened: <Wrapper><member/>...</Wrapper>; other element names are ignored.
      const std::string_view item_name = wireName(s.member, "member");
      json items = json::array();
      size_t i = 0;
      for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element || xmlLocalName(c) != item_name) continue;
        auto v = readXmlValue(s.member, c, where + "." + std::to_string(++i) + ".member", depth + 1);
        if (!v.ok()) return v.status();
        items.push_back(std::move(v).value());
      }
      return items;
    }
    case ShapeType::kMap: {
      json obj = json::object();
      for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element || xmlLocalName(c) != "entry") continue;
        ZK_RETURN_IF_ERROR(readMapEntry(s, c, obj, where, depth + 1));
      }
      return obj;
    }
    default: {
      auto text = elementText(node, where);
      if (!text.ok()) return text.status();
      return scalarFromText(ref, *text, TimestampFormat::kIso8601, where);
    }
  }
}

std::string writeXmlErrorResponse(std::string_view xml_namespace, const AwsError& error,
                                  std::string_view request_id, ResponseHeaders& out_headers) {
  XmlWriter w;
  w.prolog();
  w.open("ErrorResponse", xml_namespace);
  w.open("Error");
  w.textElement("Type", error.type);
  w.textElement("Code", error.code);
  w.textElement("Message", error.message);
  w.close("Error");
  w.textElement("RequestId", request_id);
  w.close("ErrorResponse");
  setXmlErrorHeaders(error.http_status, request_id, out_headers);
  return w.take();
}

void setXmlErrorHeaders(int http_status, std::string_view request_id, ResponseHeaders& out_headers) {
  out_headers.status = http_status;
  out_headers.set("Content-Type", "text/xml");
  out_headers.set("x-amzn-RequestId", std::string(request_id));
}

}  // namespace zk::aws
