// httpsFetcher: adapts HttpsClient::get to JwksCache::Fetcher.
#include "jose/https_fetcher.h"

namespace zk::jose {

JwksCache::Fetcher httpsFetcher(std::shared_ptr<const http::HttpsClient> client) {
  return [client = std::move(client)](const std::string& url) -> Result<std::string> {
    auto r = client->get(url);
    if (!r.ok()) return r.status();
    if (r->status != 200) return unavailable("HTTP " + std::to_string(r->status) + " from " + url);
    return std::move(r->body);
  };
}

}  // namespace zk::jose
