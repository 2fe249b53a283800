/*
 * test_alarm.h - a time limit for a test that could block: cbt_arm_alarm(seconds) makes a call
 * still blocked after `seconds` fail with EINTR (the test then fails on its message) instead of
 * the test program hanging or being killed, so a hang on a FIFO becomes one failed test.
 * cbt_arm_alarm(0) cancels it.
 */
#ifndef CB_TEST_ALARM_H
#define CB_TEST_ALARM_H

void cbt_arm_alarm(unsigned seconds);

#endif /* CB_TEST_ALARM_H */
