package org.kaiku.engine.features.admin;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.kaiku.engine.auth.AccountService;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.engine.module.AdHocCommand;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.ext.commands.AdHoc;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;

/**
 * XEP-0133 Service Administration, version 1.3.0: ad-hoc commands for the accounts named in
 * {@code kaiku.admins} (bare JIDs; nobody by default). Everyone else neither sees them in the
 * command list nor may run them (forbidden), as section 5 requires.
 *
 * <ul>
 *   <li>add-user (section 4.1): accountjid, password, password-verify; a name taken is a conflict
 *       (the error table of section 5), passwords that differ or an account of another domain a
 *       completed command with an error note;</li>
 *   <li>delete-user (4.3): accountjids, one or more; each account's sessions end and everything
 *       kept for it is erased before its credentials (see {@link AccountService#delete}); the
 *       note says which were deleted, which did not exist and which failed;</li>
 *   <li>disable-user (4.4) and reenable-user (4.5): accountjids; a disabled account keeps
 *       everything, its sessions end with not-authorized and its logins fail with SASL
 *       account-disabled (only after the password was proven) until it is enabled again. The mark
 *       sits in the credentials row, so a login still costs one read;</li>
 *   <li>end-user-session (4.6): accountjids; every session of each ends with policy-violation,
 *       and the user may log in again at once;</li>
 *   <li>change-user-password (4.7): accountjid, password; an unknown account item-not-found;</li>
 *   <li>get-registered-users-num (4.13) and get-disabled-users-num (4.14): counts over the
 *       domain's accounts; get-disabled-users-list (4.19) lists them, all at once (a full scan of
 *       the credentials partitions of the domain: an operator's question, not a hot path).</li>
 *   <li>get-online-users-num (4.15) and get-online-users-list (4.20, all at once): the accounts
 *       with a session on any node, from the nodes' Distributed Data sets (a node's set may lag
 *       by the gossip interval, about 2 s);</li>
 *   <li>announce (4.23): a headline to every online account.</li>
 * </ul>
 * Not offered yet: active and idle users, message of the day, welcome messages, edit-admin and
 * restart.
 */
@Xep(number = 133, version = "1.3.0", status = Xep.Status.PARTIAL,
        note = "add-user, delete-user, disable-user, reenable-user, end-user-session, change-user-password, "
                + "get-registered-users-num, get-disabled-users-num, get-disabled-users-list, get-online-users-num, "
                + "get-online-users-list, announce; admins from kaiku.admins")
public final class AdminCommandsModule implements XmppModule {
    static final String NODE = "http://jabber.org/protocol/admin#";
    static final String FORM_TYPE = "http://jabber.org/protocol/admin";

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        Set<Jid> admins = admins(ctx);
        AccountService accounts = new AccountService(ctx.domain(), ctx.stores().credentials(),
                ctx.config().getInt("kaiku.sasl.scram-iterations"), ctx.accounts());
        String domain = ctx.domain();
        return ModuleRegistration.builder()
                .command(new Command(admins, "add-user", "Add a User", form("Adding a User", "Fill out this form to add a user.",
                        DataForm.Field.ask("accountjid", "jid-single", "The Jabber ID for the account to be added", true),
                        DataForm.Field.ask("password", "text-private", "The password for this account", true),
                        DataForm.Field.ask("password-verify", "text-private", "Retype password", true)),
                        (requester, f) -> addUser(accounts, domain, f)))
                .command(new Command(admins, "delete-user", "Delete a User", form("Deleting a User",
                        "Fill out this form to delete a user.",
                        DataForm.Field.ask("accountjids", "jid-multi", "The Jabber ID(s) to delete", true)),
                        (requester, f) -> eachAccount(f, accounts::delete, "Deleted")))
                .command(new Command(admins, "disable-user", "Disable a User", form("Disabling a User",
                        "Fill out this form to disable a user.",
                        DataForm.Field.ask("accountjids", "jid-multi", "The Jabber ID(s) to disable", true)),
                        (requester, f) -> eachAccount(f, accounts::disable, "Disabled")))
                .command(new Command(admins, "reenable-user", "Re-Enable a User", form("Re-Enabling a User",
                        "Fill out this form to re-enable a user.",
                        DataForm.Field.ask("accountjids", "jid-multi", "The Jabber ID(s) to re-enable", true)),
                        (requester, f) -> eachAccount(f, accounts::enable, "Re-enabled")))
                .command(new Command(admins, "end-user-session", "End User Session", form("Ending a User Session",
                        "Fill out this form to end a user's session.",
                        DataForm.Field.ask("accountjids", "jid-multi", "The Jabber ID(s) for which to end sessions", true)),
                        (requester, f) -> eachAccount(f, accounts::endSessions, "Ended the sessions of")))
                .command(new Command(admins, "change-user-password", "Change User Password", form("Changing a User Password",
                        "Fill out this form to change a user's password.",
                        DataForm.Field.ask("accountjid", "jid-single", "The Jabber ID for this account", true),
                        DataForm.Field.ask("password", "text-private", "The password for this account", true)),
                        (requester, f) -> changePassword(accounts, domain, f)))
                .command(new Command(admins, "get-registered-users-num", "Get Number of Registered Users", null,
                        (requester, f) -> accounts.list(domain).thenApply(users -> AdHocCommand.Done.result(
                                form(null, null, DataForm.Field.ask("registeredusersnum", null, "The number of registered users", false)
                                        .withValues(Integer.toString(users.size()))).withType("result")))))
                .command(new Command(admins, "get-online-users-num", "Get Number of Online Users", null,
                        (requester, f) -> ctx.accounts().online().thenApply(users -> AdHocCommand.Done.result(
                                form(null, null, DataForm.Field.ask("onlineusersnum", null, "The number of online users", false)
                                        .withValues(Integer.toString(users.size()))).withType("result")))))
                .command(new Command(admins, "get-online-users-list", "Get List of Online Users", null,
                        (requester, f) -> ctx.accounts().online().thenApply(users -> AdHocCommand.Done.result(
                                form(null, null, DataForm.Field.ask("onlineuserjids", "jid-multi", "The list of all online users", false)
                                        .withValues(users.stream().sorted().toArray(String[]::new))).withType("result")))))
                .command(new Command(admins, "announce", "Send Announcement to Online Users", form("Making an Announcement",
                        "Fill out this form to make an announcement to all active users of this service.",
                        DataForm.Field.ask("announcement", "text-multi", "Announcement", true)),
                        (requester, f) -> announce(ctx, domain, f)))
                .command(new Command(admins, "get-disabled-users-num", "Get Number of Disabled Users", null,
                        (requester, f) -> accounts.listDisabled().thenApply(users -> AdHocCommand.Done.result(
                                form(null, null, DataForm.Field.ask("disabledusersnum", null, "The number of disabled users", false)
                                        .withValues(Integer.toString(users.size()))).withType("result")))))
                .command(new Command(admins, "get-disabled-users-list", "Get List of Disabled Users", null,
                        (requester, f) -> accounts.listDisabled().thenApply(users -> AdHocCommand.Done.result(
                                form(null, null, DataForm.Field.ask("disableduserjids", "jid-multi", "The list of all disabled users", false)
                                        .withValues(users.toArray(String[]::new))).withType("result")))))
                .build();
    }

    private static Set<Jid> admins(ModuleContext ctx) {
        Set<Jid> admins = new HashSet<>();
        for (String a : ctx.config().getStringList("kaiku.admins")) {
            try {
                Jid jid = Jid.parse(a);
                if (jid.local() == null || jid.resource() != null) {
                    throw new IllegalArgumentException("an admin is an account, user@domain");
                }
                admins.add(jid);
            } catch (IllegalArgumentException e) {
                throw new SettingsException("kaiku.admins", "'" + a + "': " + e.getMessage());
            }
        }
        return Set.copyOf(admins);
    }

    private static CompletionStage<AdHocCommand.Stage> addUser(AccountService accounts, String domain, DataForm f) {
        String jid = value(f, "accountjid");
        if (!value(f, "password").equals(value(f, "password-verify"))) {
            return done(AdHocCommand.Done.note(AdHoc.Note.error("The passwords do not match.")));
        }
        return accounts.add(jid, value(f, "password")).handle((created, err) -> {
            if (err != null) {
                return AdHocCommand.Done.note(AdHoc.Note.error(cause(err)));
            }
            return Boolean.TRUE.equals(created)
                    ? AdHocCommand.Done.note(AdHoc.Note.info("Added " + Jid.parse(jid) + "."))
                    : AdHocCommand.Done.failed(StanzaError.Condition.CONFLICT);
        });
    }

    /**
     * Runs {@code op} on each account named in accountjids, one after the other (so that each
     * deletion's erasure has the node to itself); the note says which it was done to, which did
     * not exist and which failed.
     */
    private static CompletionStage<AdHocCommand.Stage> eachAccount(DataForm f, Function<String, CompletionStage<Boolean>> op,
                                                                   String done) {
        List<String> jids = f.field("accountjids").map(DataForm.Field::values).orElse(List.of());
        if (jids.isEmpty()) {
            return done(AdHocCommand.Done.note(AdHoc.Note.error("No account named.")));
        }
        List<String> changed = new java.util.ArrayList<>();
        List<String> unknown = new java.util.ArrayList<>();
        List<String> failed = new java.util.ArrayList<>();
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (String jid : jids) {
            chain = chain.thenCompose(x -> op.apply(jid).handle((found, err) -> {
                if (err != null) {
                    failed.add(jid + " (" + cause(err) + ")");
                } else if (Boolean.TRUE.equals(found)) {
                    changed.add(jid);
                } else {
                    unknown.add(jid);
                }
                return null;
            }));
        }
        return chain.thenApply(x -> {
            StringBuilder text = new StringBuilder();
            if (!changed.isEmpty()) {
                text.append(done).append(' ').append(String.join(", ", changed)).append(". ");
            }
            if (!unknown.isEmpty()) {
                text.append("No such account: ").append(String.join(", ", unknown)).append(". ");
            }
            if (!failed.isEmpty()) {
                text.append("Not done: ").append(String.join(", ", failed)).append('.');
            }
            String note = text.toString().trim();
            return AdHocCommand.Done.note(failed.isEmpty() && unknown.isEmpty() ? AdHoc.Note.info(note) : AdHoc.Note.error(note));
        });
    }

    /**
     * Section 4.23: a headline from the server to every online account's bare JID, which RFC
     * 6121 section 8.5.2.1.1 delivers to each available resource of non-negative priority;
     * nothing is stored for anyone offline.
     */
    private static CompletionStage<AdHocCommand.Stage> announce(ModuleContext ctx, String domain, DataForm f) {
        String text = String.join("\n", f.field("announcement").map(DataForm.Field::values).orElse(List.of())).strip();
        if (text.isEmpty()) {
            return done(AdHocCommand.Done.note(AdHoc.Note.error("The announcement is empty.")));
        }
        return ctx.accounts().online().thenApply(users -> {
            for (String user : users) {
                ctx.accounts().send(org.kaiku.protocol.xml.XmlElement.builder("message", "jabber:client")
                        .attr("from", domain).attr("to", user).attr("type", "headline")
                        .child(org.kaiku.protocol.xml.XmlElement.builder("body", "jabber:client").text(text).build())
                        .build());
            }
            return AdHocCommand.Done.note(AdHoc.Note.info("Sent to " + users.size() + " online users."));
        });
    }

    private static CompletionStage<AdHocCommand.Stage> changePassword(AccountService accounts, String domain, DataForm f) {
        String jid = value(f, "accountjid");
        return accounts.changePassword(jid, value(f, "password")).handle((changed, err) -> {
            if (err != null) {
                return AdHocCommand.Done.note(AdHoc.Note.error(cause(err)));
            }
            return Boolean.TRUE.equals(changed)
                    ? AdHocCommand.Done.note(AdHoc.Note.info("Changed the password of " + Jid.parse(jid) + "."))
                    : AdHocCommand.Done.failed(StanzaError.Condition.ITEM_NOT_FOUND);
        });
    }

    /** What went wrong, for a note: AccountService says it in its exception (not a JID, another domain). */
    private static String cause(Throwable err) {
        Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        return t instanceof IllegalArgumentException ? t.getMessage() : "The account store failed; try again later.";
    }

    private static String value(DataForm f, String var) {
        return f.field(var).map(DataForm.Field::value).orElse("");
    }

    private static DataForm form(String title, String instructions, DataForm.Field... fields) {
        List<DataForm.Field> all = new java.util.ArrayList<>();
        all.add(DataForm.Field.of(DataForm.FORM_TYPE, "hidden", FORM_TYPE));
        all.addAll(List.of(fields));
        return new DataForm("form", title, instructions == null ? List.of() : List.of(instructions), all);
    }

    private static CompletionStage<AdHocCommand.Stage> done(AdHocCommand.Stage stage) {
        return CompletableFuture.completedFuture(stage);
    }

    /**
     * One admin command: asks its form (or runs at once when it has none) and hands the checked
     * submission to {@code run}.
     */
    private record Command(Set<Jid> admins, String name, String label, DataForm asked,
                           BiFunction<Jid, DataForm, CompletionStage<AdHocCommand.Stage>> run) implements AdHocCommand {
        @Override
        public String node() {
            return NODE + name;
        }

        @Override
        public boolean allowed(Jid requester) {
            return requester != null && admins.contains(requester.bare());
        }

        @Override
        public CompletionStage<Stage> start(Jid requester) {
            return asked == null ? run.apply(requester, null) : done(new Ask(asked));
        }

        @Override
        public CompletionStage<Stage> submit(Jid requester, DataForm submitted) {
            return run.apply(requester, submitted);
        }

        @Override
        public String name() {
            return label;
        }
    }
}
