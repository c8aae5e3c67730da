// A JwksCache::Fetcher over http::HttpsClient: the body of a 200 response, anything else an error.
#pragma once

#include <memory>

#include "http/client.h"
#include "jose/jwks_cache.h"

namespace zk::jose {

// The returned fetcher shares `client` (thread-safe) and may be called concurrently. Non-200
// statuses (redirects included: none is followed) -> kUnavailable "HTTP <status> from <url>";
// client errors are passed through.
JwksCache::Fetcher httpsFetcher(std::shared_ptr<const http::HttpsClient> client);

}  // namespace zk::jose
