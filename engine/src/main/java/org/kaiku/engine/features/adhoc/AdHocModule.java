package org.kaiku.engine.features.adhoc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.kaiku.engine.module.AdHocCommand;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.ext.commands.AdHoc;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0050 Ad-Hoc Commands, version 1.3.0: runs the commands modules register
 * ({@link AdHocCommand}) for iq sets to the server. The command list and each command's
 * disco#info are answered by the disco module from the same registry.
 *
 * <p>A stage that asks for a form answers status executing with {@code <actions execute='complete'>
 * <complete/></actions>}: every command here asks at most one form at a time, so there is no
 * prev/next. Errors (section 4.4): an unknown node item-not-found; a command the requester may not
 * run forbidden; an action outside the list bad-request/malformed-action; prev, or a session id
 * of another requester or command, bad-request/bad-action or bad-sessionid; an ended or expired
 * session not-allowed/session-expired; a submission without a form or one that fails the form's
 * checks (required fields, single values, options, JIDs) bad-request/bad-payload; too many open
 * sessions resource-constraint. Cancel ends the session (status canceled).
 */
@Xep(number = 50, version = "1.3.0", status = Xep.Status.COMPLETE,
        note = "single-form stages (no prev/next); sessions live on the node of the requester's connection")
public final class AdHocModule implements XmppModule {
    private static final Duration LIFETIME = Duration.ofMinutes(10);

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        ModuleRegistry registry = ctx.registry();
        CommandSessions sessions = new CommandSessions(LIFETIME, 8, 10_000, System::nanoTime);
        return ModuleRegistration.builder()
                .feature(AdHoc.NAMESPACE)
                .iq(IqHandler.Scope.SERVER, AdHoc.NAMESPACE, "set", req -> handle(registry, sessions, req))
                .build();
    }

    private static CompletionStage<XmlElement> handle(ModuleRegistry registry, CommandSessions sessions, IqHandler.Request req) {
        XmlElement iq = req.iq();
        AdHoc.Request r;
        try {
            r = AdHoc.read(req.payload());
        } catch (StanzaRequestException e) {
            return done(AdHoc.error(iq, e.condition(), "malformed-action".equals(e.getMessage()) ? "malformed-action" : null));
        }
        AdHocCommand command = registry.command(r.node()).orElse(null);
        if (command == null) {
            return done(AdHoc.error(iq, StanzaError.Condition.ITEM_NOT_FOUND, null));
        }
        if (!command.allowed(req.from())) {
            return done(AdHoc.error(iq, StanzaError.Condition.FORBIDDEN, null));
        }
        String requester = req.from().toString();
        if (r.sessionId() == null) {
            if (r.action() != AdHoc.Action.EXECUTE) {
                return done(AdHoc.error(iq, StanzaError.Condition.BAD_REQUEST, "bad-sessionid"));
            }
            return command.start(req.from()).thenApply(stage -> answer(iq, sessions, command, null, requester, stage));
        }
        CommandSessions.Session s = sessions.get(r.sessionId());
        if (s == null) {
            return done(AdHoc.error(iq, StanzaError.Condition.NOT_ALLOWED, "session-expired"));
        }
        if (!s.requester().equals(requester) || !s.node().equals(r.node())) {
            return done(AdHoc.error(iq, StanzaError.Condition.BAD_REQUEST, "bad-sessionid"));
        }
        switch (r.action()) {
            case CANCEL -> {
                sessions.close(r.sessionId());
                return done(Stanzas.iqResult(iq, new AdHoc.Response(r.node(), r.sessionId(), AdHoc.Status.CANCELED,
                        List.of(), null, null, List.of()).toElement()));
            }
            case PREV -> {
                return done(AdHoc.error(iq, StanzaError.Condition.BAD_REQUEST, "bad-action"));
            }
            default -> {
                if (r.form() == null || !s.asked().problems(r.form()).isEmpty()) {
                    return done(AdHoc.error(iq, StanzaError.Condition.BAD_REQUEST, "bad-payload"));
                }
                return command.submit(req.from(), r.form())
                        .thenApply(stage -> answer(iq, sessions, command, r.sessionId(), requester, stage));
            }
        }
    }

    private static XmlElement answer(XmlElement iq, CommandSessions sessions, AdHocCommand command, String sessionId,
                                     String requester, AdHocCommand.Stage stage) {
        if (stage instanceof AdHocCommand.Ask ask) {
            String id = sessionId;
            if (id == null) {
                id = sessions.open(requester, command.node(), ask.form());
                if (id == null) {
                    return AdHoc.error(iq, StanzaError.Condition.RESOURCE_CONSTRAINT, null);
                }
            } else {
                sessions.advance(id, ask.form());
            }
            return Stanzas.iqResult(iq, new AdHoc.Response(command.node(), id, AdHoc.Status.EXECUTING,
                    List.of(AdHoc.Action.COMPLETE), AdHoc.Action.COMPLETE, ask.form(), List.of()).toElement());
        }
        AdHocCommand.Done d = (AdHocCommand.Done) stage;
        if (sessionId != null) {
            sessions.close(sessionId);
        }
        if (d.error() != null) {
            return AdHoc.error(iq, d.error(), null);
        }
        // a command done in one step still names a session (section 4: a result carries one)
        String id = sessionId != null ? sessionId : java.util.UUID.randomUUID().toString();
        return Stanzas.iqResult(iq, new AdHoc.Response(command.node(), id, AdHoc.Status.COMPLETED,
                List.of(), null, d.result(), d.notes()).toElement());
    }

    private static CompletionStage<XmlElement> done(XmlElement answer) {
        return CompletableFuture.completedFuture(answer);
    }
}
