// Matching primitives of the policy language: wildcards, policy variables, ARNs, numbers, dates, IPs.
// Internal to the authz module (the public API is policy.h / evaluator.h); exposed for tests.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "authz/context.h"

namespace zk::authz::detail {

std::string toLower(std::string_view s);
bool equalsIgnoreCase(std::string_view a, std::string_view b);

// A wildcard pattern: '*' matches any run of characters (also ':' and '/'), '?' exactly one. Built once,
// matched without allocating. Case-sensitive; lower-case both sides for a case-insensitive match.
class Glob {
 public:
  void appendLiteral(std::string_view s);
  void appendLiteral(char c) { appendLiteral(std::string_view(&c, 1)); }
  void appendStar();
  void appendQuestion();
  bool matches(std::string_view s) const;
  bool hasWildcards() const { return has_wildcards_; }

 private:
  struct Seg {
    bool star_before = false;
    std::string chars;
    std::string qmask;  // empty, or chars.size() bytes with 1 where the pattern has '?'
  };
  static bool segAt(const Seg& seg, std::string_view s, size_t pos);
  static size_t segFind(const Seg& seg, std::string_view s, size_t from, size_t end);
  Seg& open();

  std::vector<Seg> segs_;
  bool pending_star_ = false;  // a '*' after the last segment
  bool has_wildcards_ = false;
};

// Policy text with optional variables,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
// "${key}" / "${key, 'default'}" (key case-insensitive; '' inside the default is a quote), "${*}",
// "${?}", "${$}" for the literal characters. A variable resolves only from a single-valued key; else the
// default, else the whole pattern fails to resolve (the value then matches nothing).
class Pattern {
 public:
  // variables: substitute "${...}" (Version 2012-10-17 only); wildcards: '*' and '?' are wildcards.
  static Pattern compile(std::string_view text, bool variables, bool wildcards);

  bool hasVariables() const { return has_vars_; }
  const std::string& text() const { return text_; }  // the source text
  // Without variables: the literal text (wildcards included as characters) and the compiled glob.
  const std::string& literal() const { return literal_; }
  const Glob& glob() const { return glob_; }

  // Substitutes variables; false when one cannot be resolved.
  bool resolveText(const RequestContext& ctx, std::string* out) const;
  bool resolveGlob(const RequestContext& ctx, Glob* out) const;
  // Convenience: does this (wildcard) pattern match s.
  bool matchesGlob(const RequestContext& ctx, std::string_view s) const;

 private:
  struct Part {
    enum Kind : uint8_t { kLiteral, kStar, kQuestion, kVariable } kind = kLiteral;
    std::string text;  // literal text, or the lower-cased key
    bool has_default = false;
    std::string default_value;
  };
  const std::string* lookup(const RequestContext& ctx, const Part& p) const;

  std::string text_;
  std::vector<Part> parts_;
  bool has_vars_ = false;
  std::string literal_;
  Glob glob_;
};

// The value of a context key for the evaluator: the request's entry, else (for aws:PrincipalArn and
// aws:PrincipalAccount) what the principal implies; nullptr when absent or empty.
const ContextValues* lookupKey(const RequestContext& ctx, std::string_view lowered_key);

// Splits "arn:partition:service:region:account:resource" at its first five colons; false if it has fewer
// than five colons or does not start with "arn".
bool splitArn(std::string_view arn, std::array<std::string_view, 6>* parts);

// A Resource element value or an Arn* condition value: "*" or six wildcard segments (each matched on its
// own; '*' in the last one spans ':' and '/').
struct ArnPattern {
  bool any = false;
  std::array<Pattern, 6> seg;
  bool matches(const RequestContext& ctx, std::string_view arn) const;
};

bool parseNumber(std::string_view s, double* out);
// ISO 8601 ("2024-01-31", "2024-01-31T12:00:00Z", fractions, "+02:00" offsets) or epoch seconds;
// microseconds since the epoch.
bool parseDate(std::string_view s, int64_t* micros);

struct IpNet {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};
  int prefix = 0;
};
// "203.0.113.0/24", "2001:db8::/32", or a bare address (a /32 or /128).
bool parseIpNet(std::string_view s, IpNet* out);
bool ipInNet(const IpNet& ip, const IpNet& net);

bool base64Decode(std::string_view s, std::string* out);

}  // namespace zk::authz::detail
