package org.kaiku.engine.module;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.kaiku.protocol.ext.commands.AdHoc;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.jid.Jid;

/**
 * One ad-hoc command (XEP-0050) the server offers, registered by a module with
 * {@link ModuleRegistration.Builder#command}. The commands framework (AdHocModule) lists it in
 * disco, keeps its sessions, checks submissions against the form it asked for (XEP-0004 section
 * 3.3) and turns each {@link Stage} into the {@code <command/>} answer.
 */
public interface AdHocCommand {
    /** The command's node, unique on the server (its disco item node). */
    String node();

    /** The label shown to people. */
    String name();

    /** Whether this requester (a full JID) may see and run the command. */
    boolean allowed(Jid requester);

    /** The first stage: a form to fill in, or the outcome at once. */
    CompletionStage<Stage> start(Jid requester);

    /** The next stage, given the submitted answer to the form of the last one (already checked against it). */
    CompletionStage<Stage> submit(Jid requester, DataForm submitted);

    /** What one stage answers. */
    sealed interface Stage permits Ask, Done {
    }

    /** Fill in this form (status executing). */
    record Ask(DataForm form) implements Stage {
    }

    /**
     * The command completed: an optional result form and notes. A failure is a completion with
     * an error note (XEP-0050 section 3.4), or, for the conditions XEP-0133 names (conflict), a
     * stanza error: {@code error} not null.
     */
    record Done(DataForm result, List<AdHoc.Note> notes, org.kaiku.protocol.stanza.StanzaError.Condition error) implements Stage {
        public Done {
            notes = List.copyOf(notes);
        }

        public static Done note(AdHoc.Note note) {
            return new Done(null, List.of(note), null);
        }

        public static Done result(DataForm form) {
            return new Done(form, List.of(), null);
        }

        public static Done failed(org.kaiku.protocol.stanza.StanzaError.Condition condition) {
            return new Done(null, List.of(), condition);
        }
    }
}
