/*
 * assert_close.h - assert_close(got, want, tol): |got - want| <= tol, naming both on failure
 * (cmocka 1.1.5 has no assert_double_equal). Include after <cmocka.h>.
 */
#ifndef CB_ASSERT_CLOSE_H
#define CB_ASSERT_CLOSE_H

#include <math.h>

#define assert_close(got, want, tol)                                                               \
    do {                                                                                           \
        const double got_ = (got), want_ = (want);                                                 \
        if (!(fabs(got_ - want_) <= (tol)))                                                        \
            fail_msg("%s = %.17g, want %.17g", #got, got_, want_);                                 \
    } while (0)

#endif /* CB_ASSERT_CLOSE_H */
