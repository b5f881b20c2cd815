package org.kaiku.engine.upload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.StreamConverters;

/**
 * The HTTPS side of HTTP File Upload (XEP-0363 section 5) on pekko-http:
 * {@code PUT /upload/<slot>/<name>} stores the body when its {@code Authorization: Bearer} token
 * grants exactly this slot, name and size (Content-Length must match, the Content-Type too when
 * the slot named one) and has not expired; {@code GET}/{@code HEAD} serve stored files.
 * Answers: 201 stored, 403 no or a wrong or expired token, 400 a size or type other than
 * granted, 409 the slot already holds a file, 404 no such file. The body is streamed to the store
 * on a blocking executor, never buffered whole, and cut at the granted size. CORS headers let
 * web clients on other origins upload (the XEP's implementation note).
 */
final class UploadHttp extends AllDirectives {
    private static final List<HttpHeader> CORS = List.of(
            RawHeader.create("Access-Control-Allow-Origin", "*"),
            RawHeader.create("Access-Control-Allow-Methods", "OPTIONS, HEAD, GET, PUT"),
            RawHeader.create("Access-Control-Allow-Headers", "Authorization, Content-Type"),
            RawHeader.create("Access-Control-Allow-Credentials", "true"));

    private final FileStore store;
    private final SlotToken tokens;
    private final Clock clock;
    private final Executor blocking;
    private final Materializer materializer;

    private UploadHttp(FileStore store, SlotToken tokens, Clock clock, Executor blocking, Materializer materializer) {
        this.store = store;
        this.tokens = tokens;
        this.clock = clock;
        this.blocking = blocking;
        this.materializer = materializer;
    }

    static CompletionStage<ServerBinding> start(ActorSystem<?> system, UploadSettings settings, SSLContext tls, FileStore store,
                                                SlotToken tokens, Clock clock, Executor blocking) {
        UploadHttp http = new UploadHttp(store, tokens, clock, blocking, Materializer.matFromSystem(system));
        return Http.get(system).newServerAt(settings.bindHost(), settings.port())
                .enableHttps(ConnectionContext.httpsServer(tls))
                .bind(http.routes());
    }

    Route routes() {
        return respondWithHeaders(CORS, () -> pathPrefix("upload", () -> path(PathMatchers.segment().slash(PathMatchers.segment()),
                (slot, name) -> concat(
                        put(() -> extractRequest(request -> onPut(slot, name, request))),
                        get(() -> serve(slot, name)),
                        head(() -> serve(slot, name)),
                        options(() -> complete(StatusCodes.OK))))));
    }

    private Route onPut(String slot, String name, HttpRequest request) {
        Optional<SlotToken.Grant> grant = request.getHeader("Authorization").map(HttpHeader::value)
                .filter(v -> v.startsWith("Bearer ")).flatMap(v -> tokens.verify(v.substring(7).strip()));
        if (grant.isEmpty() || !grant.get().slotId().equals(slot) || !grant.get().filename().equals(name)
                || grant.get().expires().isBefore(clock.instant())) {
            return discard(request, complete(StatusCodes.FORBIDDEN, "no valid slot for this upload"));
        }
        SlotToken.Grant g = grant.get();
        if (request.entity().getContentLengthOption().orElse(-1L) != g.size()) {
            return discard(request, complete(StatusCodes.BAD_REQUEST, "Content-Length must be " + g.size()));
        }
        String type = request.entity().getContentType().mediaType().toString().toLowerCase(Locale.ROOT);
        if (g.contentType() != null && !type.equals(g.contentType().toLowerCase(Locale.ROOT).split(";")[0].strip())) {
            return discard(request, complete(StatusCodes.BAD_REQUEST, "Content-Type must be " + g.contentType()));
        }
        InputStream body = request.entity().withSizeLimit(g.size()).getDataBytes()
                .runWith(StreamConverters.asInputStream(Duration.ofSeconds(60)), materializer);
        CompletionStage<Boolean> stored = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = body) {
                return store.put(slot, name, new FileStore.Stored(g.account(), g.size(), g.contentType(), clock.instant()), in);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, blocking);
        return onComplete(stored, result -> {
            if (result.isFailure()) {
                return complete(StatusCodes.BAD_REQUEST, "the upload did not complete: " + result.failed().get().getMessage());
            }
            return result.get() ? complete(StatusCodes.CREATED) : complete(StatusCodes.CONFLICT, "this slot already holds a file");
        });
    }

    private Route serve(String slot, String name) {
        Optional<Path> file = store.path(slot, name);
        if (file.isEmpty()) {
            return complete(StatusCodes.NOT_FOUND);
        }
        ContentType type = store.meta(slot).map(FileStore.Stored::contentType).flatMap(UploadHttp::parse)
                .orElse(ContentTypes.APPLICATION_OCTET_STREAM);
        return getFromFile(file.get().toFile(), type);
    }

    private static Optional<ContentType> parse(String type) {
        try {
            return Optional.of(ContentTypes.parse(type));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Refuses without reading the body, then lets pekko-http drop it. */
    private Route discard(HttpRequest request, Route answer) {
        request.discardEntityBytes(materializer);
        return answer;
    }
}
