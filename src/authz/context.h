// The request side of an authorization decision: who calls, what action on which resource, context keys.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zk::authz {

// Who calls. Filled by the caller from the authenticated credentials.
struct Principal {
  // "arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/R/sess",
  // "arn:aws:iam::111122223333:root"; empty for a service or web-identity caller.
  std::string arn;
  std::string account;  // "111122223333"
  // Assumed-role session: the role ARN "arn:aws:iam::111122223333:role/R" (a resource policy naming the
  // role matches the session too); else empty.
  std::string source_arn;
  std::string service;    // "ec2.amazonaws.com" when a service is the principal; else empty
  std::string federated;  // web identity provider ARN or issuer host; else empty
};

// Context keys: names compared case-insensitively (stored lower-cased); values are strings, a
// multi-valued key (aws:TagKeys, route53:ChangeResourceRecordSetsRecordTypes, ...) has several.
// A key set with an empty value list counts as absent for every operator.
using ContextValues = std::vector<std::string>;

// One request to authorize. Plain data: build it, then hand it to evaluate() (which never modifies it).
// Not synchronized; a fully built context can be read from several threads.
class RequestContext {
 public:
  std::string action;    // "route53:ChangeResourceRecordSets" (matched case-insensitively)
  std::string resource;  // an ARN, or "*" for actions without resource-level permissions
  Principal principal;

  // Sets (replaces) a key; the name is case-insensitive.
  void set(std::string_view key, ContextValues values);
  void set(std::string_view key, std::string value);
  void set(std::string_view key, const char* value) { set(key, std::string(value)); }
  void set(std::string_view key, std::initializer_list<std::string> values) {
    set(key, ContextValues(values));
  }
  void erase(std::string_view key);
  // nullptr = key absent. The name is case-insensitive.
  const ContextValues* get(std::string_view key) const;
  // Same, for a name already in lower case (what the evaluator uses).
  const ContextValues* getLowered(std::string_view lowered_key) const;

  const std::vector<std::pair<std::string, ContextValues>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, ContextValues>> entries_;  // small and flat: a linear scan wins
};

}  // namespace zk::authz
