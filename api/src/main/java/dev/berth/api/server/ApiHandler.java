package dev.berth.api.server;

import dev.berth.api.model.ApiVersion;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;

/**
 * An Engine API handler: an {@link dev.berth.http.HttpHandler} that also gets the API version the
 * client asked for ({@code /v1.41/...}), or the current one for unversioned paths, since answers
 * differ by version.
 */
@FunctionalInterface
interface ApiHandler {
  void handle(ApiVersion version, HttpRequest req, HttpResponse res) throws Exception;
}
