/* image_diff.h — the pictures an image test leaves when it fails: the
 * expected and actual images, their difference, and all three side by
 * side, as PNGs a person can look at. */
#ifndef TS_TEST_IMAGE_DIFF_H
#define TS_TEST_IMAGE_DIFF_H

#include <stdint.h>

/* Writes OUTDIR/NAME.{expected,actual,diff,sbs}.png for two w x h RGBA
 * images and prints each path. In the difference, grey is the pixel's worst
 * channel difference (alpha too) times 8, and red marks a pixel whose worst
 * channel differs by more than `threshold` (in 1/255). A file that cannot
 * be written is reported on stderr; nothing is returned, as the test has
 * failed already. */
void ts_test_write_diff(const char *outdir, const char *name, const uint8_t *expected, const uint8_t *actual, int w,
                        int h, int threshold);

#endif
