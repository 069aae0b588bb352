/* The test harness itself: check_done() fails a test in which no check ran (such a test
 * once counted as passed), and passes once a passing check has run. */
#include "check.h"

int main(void) {
  int none = check_done(); /* no check yet: must report failure */
  CHECK(none == 1, "check_done with no check run returns 1 (got %d)", none);
  CHECK(CHECK_SKIP == 77, "the skip status is ctest's SKIP_RETURN_CODE 77");
  return check_done();
}
