/*
 * fuzz_result_json.c - the JSON files `cifarbench report` and `cifarbench compare` read:
 * cifarbench results (train, scale, study, regression; results/cb_result.h) and Google Benchmark
 * JSON (reports/gbench.h), recognised by their content. Driven through the commands themselves
 * (reports/report_commands.h), so the loader, the report's sections and charts and the
 * comparison all see the parsed documents.
 *
 * Input: one JSON document, or two separated by the first NUL byte (a NUL is never valid in a
 * JSON text, so no document loses anything by it). With one document A:
 *     cifarbench compare A A            cifarbench report A --out DIR
 * with two, A and B:
 *     cifarbench compare A B            cifarbench report A B --out DIR
 * DIR is in the scratch directory on tmpfs. The commands' output goes to /dev/null
 * (cbf_quiet: libFuzzer's -close_fd_mask=3; add -close_fd_mask=0 to see it).
 *
 * Checked besides memory safety: both commands exit 0 or 1 (2 would be a usage error: a harness
 * bug); a report that succeeds wrote report.md and report.html, and the HTML holds no <script
 * (the report is promised script-free, and every text from a file is escaped).
 */
#include "fuzz_common.h"

#include <ctype.h>

#include "report_commands.h"

static char a_path[4096], b_path[4096], out_dir[4096], md_path[4200], html_path[4200];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    cbf_quiet(argc, argv);
    cbf_path(a_path, sizeof a_path, "a.json");
    cbf_path(b_path, sizeof b_path, "b.json");
    cbf_path(out_dir, sizeof out_dir, "report");
    snprintf(md_path, sizeof md_path, "%s/report.md", out_dir);
    snprintf(html_path, sizeof html_path, "%s/report.html", out_dir);
    return 0;
}

/* Whether the file at path contains "<script", in any case. */
static int has_script(const char *path)
{
    FILE *f = fopen(path, "rb");
    CBF_CHECK(f != NULL);
    static char buf[1 << 16];
    static const char tag[] = "<script";
    size_t matched = 0;
    int found = 0;
    for (size_t n; !found && (n = fread(buf, 1, sizeof buf, f)) > 0;)
        for (size_t i = 0; i < n && !found; i++) {
            const char c = (char)tolower((unsigned char)buf[i]);
            matched = c == tag[matched] ? matched + 1 : c == tag[0] ? 1 : 0;
            found = matched == sizeof tag - 1;
        }
    fclose(f);
    return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    const size_t a_size = nul ? (size_t)(nul - data) : size;
    cbf_write(a_path, data, a_size);
    if (nul)
        cbf_write(b_path, nul + 1, size - a_size - 1);
    const char *second = nul ? b_path : a_path;

    char *compare_argv[] = {a_path, (char *)second, NULL};
    const int c = cb_cmd_compare(2, compare_argv);
    CBF_CHECK(c == 0 || c == 1);

    remove(md_path);
    remove(html_path);
    char out_flag[] = "--out";
    char *report_argv[] = {a_path, b_path, out_flag, out_dir, NULL};
    if (!nul) {
        report_argv[1] = out_flag;
        report_argv[2] = out_dir;
        report_argv[3] = NULL;
    }
    const int r = cb_cmd_report(nul ? 4 : 3, report_argv);
    CBF_CHECK(r == 0 || r == 1);
    if (r == 0) {
        CBF_CHECK(access(md_path, F_OK) == 0);
        CBF_CHECK(!has_script(html_path));
    }
    return 0;
}
