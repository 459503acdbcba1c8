/* golden.c — one golden-image test: renders a model with the studio camera
 * and compares it with a reviewed PNG under tests/golden/. Any channel off by
 * more than 1/255 fails the test; a failure writes the expected, actual and
 * difference images, and all three side by side, and prints their paths.
 * With TS_GOLDEN_UPDATE=1 in the environment it writes the golden instead
 * (scripts/update-goldens), rendered by the reference pipeline. With --actual FILE.png it compares that image
 * (written by a program under test) instead of rendering. */
#define _POSIX_C_SOURCE 200809L

#include "tessera.h"

#include "image_diff.h"

#include "cli_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per channel, in 1/255 steps: 1 by default; --tolerance for a GPU
 * post-processing backend against the cpu chain's goldens (2, docs/POST.md). */
static int tolerance = 1;

typedef struct args {
    const char *model, *golden, *outdir, *name, *actual;
    int width, height, msaa;
    ts_view_desc view;
    ts_post_desc post;
} args;

static int usage(void) {
    fprintf(stderr, "usage: test_golden --name N (--model SPEC | --actual FILE.png) --golden FILE.png "
                    "--outdir DIR [--size WxH] [--shading MODE] [--yaw DEG] [--pitch DEG] "
                    "[--zoom Z] [--cull] [--wireframe] [--msaa N] [--tolerance N] [--post BACKEND and its options]\n"
                    "Exits 77 (skip) when the post-processing backend asked for cannot run here.\n");
    return 2;
}

static bool parse_args(int argc, char **argv, args *a) {
    memset(a, 0, sizeof *a);
    a->width = 320;
    a->height = 240;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(k, "--cull")) {
            a->view.cull_back = true;
            continue;
        }
        if (!strcmp(k, "--wireframe")) {
            a->view.wireframe = true;
            continue;
        }
        int took = ts_cli_post_option("test_golden", k, v, &a->post);
        if (took < 0) return false;
        if (took > 0) {
            i += took - 1;
            continue;
        }
        if (!v) return false;
        i++;
        if (!strcmp(k, "--name")) a->name = v;
        else if (!strcmp(k, "--model")) a->model = v;
        else if (!strcmp(k, "--actual")) a->actual = v;
        else if (!strcmp(k, "--golden")) a->golden = v;
        else if (!strcmp(k, "--outdir")) a->outdir = v;
        else if (!strcmp(k, "--size")) {
            if (sscanf(v, "%dx%d", &a->width, &a->height) != 2) return false;
        } else if (!strcmp(k, "--shading")) {
            if (!ts_shading_parse(v, &a->view.shading)) return false;
        } else if (!strcmp(k, "--msaa")) a->msaa = atoi(v);
        else if (!strcmp(k, "--yaw")) a->view.yaw_deg = strtof(v, NULL);
        else if (!strcmp(k, "--pitch")) a->view.pitch_deg = strtof(v, NULL);
        else if (!strcmp(k, "--zoom")) a->view.zoom = strtof(v, NULL);
        else if (!strcmp(k, "--tolerance")) tolerance = atoi(v);
        else return false;
    }
    return a->name && (a->model || a->actual) && a->golden && a->outdir;
}

static void warn(void *user, const char *message) {
    (void)user;
    fprintf(stderr, "warning: %s\n", message);
}

int main(int argc, char **argv) {
    args a;
    if (!parse_args(argc, argv, &a)) return usage();

    ts_error err = {0};
    ts_model model = {0};
    ts_renderer *r = NULL;
    uint8_t *loaded = NULL;
    const uint8_t *act;
    if (a.actual) {
        if (ts_png_read(a.actual, &a.width, &a.height, &loaded, &err) != TS_OK) {
            fprintf(stderr, "FAIL %s: %s\n", a.name, err.message);
            return 1;
        }
        act = loaded;
    } else {
        /* Goldens are made by the reference pipeline, the oracle; the
         * tests check the default (fast) path against them. */
        const char *update_env = getenv("TS_GOLDEN_UPDATE");
        ts_renderer_desc desc = {.width = a.width, .height = a.height, .msaa = a.msaa, .post = a.post,
                                 .reference = update_env && !strcmp(update_env, "1")};
        if (ts_model_open(a.model, &model, &err, warn, NULL) != TS_OK ||
            ts_renderer_create(&desc, &r, &err) != TS_OK ||
            ts_renderer_draw(r, &model, &a.view, &err) != TS_OK) {
            fprintf(stderr, "FAIL %s: %s\n", a.name, err.message);
            ts_renderer_destroy(r);
            ts_model_free(&model);
            return 1;
        }
        /* A backend that fell back to cpu would pass on the cpu chain's
         * goldens without having run: that is a skip, never a pass. */
        const char *note;
        if (ts_renderer_post(r, &note) != a.post.backend) {
            printf("SKIP %s: %s\n", a.name, note);
            ts_renderer_destroy(r);
            ts_model_free(&model);
            return 77;
        }
        act = ts_renderer_pixels(r);
    }
    int status = 0;

    const char *update = getenv("TS_GOLDEN_UPDATE");
    if (update && !strcmp(update, "1")) {
        if (ts_png_write(a.golden, a.width, a.height, act, &err) != TS_OK) {
            fprintf(stderr, "FAIL %s: %s\n", a.name, err.message);
            status = 1;
        } else {
            printf("updated %s\n", a.golden);
        }
    } else {
        int gw, gh;
        uint8_t *exp = NULL;
        if (ts_png_read(a.golden, &gw, &gh, &exp, &err) != TS_OK) {
            fprintf(stderr, "FAIL %s: no golden image: %s\n", a.name, err.message);
            status = 1;
        } else if (gw != a.width || gh != a.height) {
            fprintf(stderr, "FAIL %s: golden is %dx%d, rendered %dx%d\n", a.name, gw, gh, a.width,
                    a.height);
            status = 1;
        } else {
            size_t n = (size_t)gw * (size_t)gh, bad = 0;
            int worst = 0;
            for (size_t i = 0; i < n * 4; i++) {
                int d = abs((int)exp[i] - (int)act[i]);
                if (d > worst) worst = d;
                if (d > tolerance) bad++;
            }
            if (bad) {
                printf("FAIL %s: %zu channel values differ by more than %d/255 (worst %d/255)\n",
                       a.name, bad, tolerance, worst);
                ts_test_write_diff(a.outdir, a.name, exp, act, gw, gh, tolerance);
                status = 1;
            } else {
                printf("ok %s (worst difference %d/255)\n", a.name, worst);
            }
        }
        free(exp);
    }
    free(loaded);
    ts_renderer_destroy(r);
    ts_model_free(&model);
    return status;
}
