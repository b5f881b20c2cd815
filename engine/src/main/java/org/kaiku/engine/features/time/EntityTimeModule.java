package org.kaiku.engine.features.time;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0202 Entity Time, version 2.0, for the server's own JID: clients use it to correct their
 * clock skew before they trust message timestamps. Both children are REQUIRED (section 2):
 * {@code <utc/>} in the XEP-0082 dateTime profile, in UTC, with milliseconds; {@code <tzo/>} the
 * node's offset from UTC as the XEP-0082 TZD, always {@code ±hh:mm} (seconds of historical
 * offsets dropped, as TZD has none). A cluster's nodes may answer with different offsets if
 * their machines differ; operators normally run them in UTC.
 */
@Xep(number = 202, version = "2.0", status = Xep.Status.COMPLETE)
public final class EntityTimeModule implements XmppModule {
    public static final String NAMESPACE = "urn:xmpp:time";
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Clock clock;

    public EntityTimeModule() {
        this(Clock.systemDefaultZone());
    }

    /** With the clock whose zone gives the offset, for tests. */
    EntityTimeModule(Clock clock) {
        this.clock = clock;
    }

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        return ModuleRegistration.builder()
                .feature(NAMESPACE)
                .iq(IqHandler.Scope.SERVER, NAMESPACE, "get",
                        req -> CompletableFuture.completedFuture(Stanzas.iqResult(req.iq(), now())))
                .build();
    }

    private XmlElement now() {
        Instant instant = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return XmlElement.builder("time", NAMESPACE)
                .textChild("tzo", tzd(clock.getZone().getRules().getOffset(instant)))
                .textChild("utc", UTC.format(instant))
                .build();
    }

    /** XEP-0082 section 3 TZD, as {@code ±hh:mm}. */
    static String tzd(ZoneOffset offset) {
        int minutes = offset.getTotalSeconds() / 60;
        int abs = Math.abs(minutes);
        return String.format(Locale.ROOT, "%s%02d:%02d", minutes < 0 ? "-" : "+", abs / 60, abs % 60);
    }
}
