package org.kaiku.deploy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.kaiku.deploy.KaikuMain;

/** One in-process run of the {@code kaiku} command line: exit code, stdout, stderr. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KaikuMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
