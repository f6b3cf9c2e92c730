#include "core/census_derive.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

TEST(CensusDerive, StaticCountersGiveExactTotalsAndNoNote) {
  DeriveInputs in;
  in.sockstat_tw = CounterPair{610, 610};
  in.curr_estab = CounterPair{350, 350};
  in.fin_wait2_minisocks = 10;
  in.close_wait = 30;
  auto d = derive_totals(in);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->time_wait, 600u);
  EXPECT_EQ(d->established, 320u);
  EXPECT_TRUE(d->notes.empty());
}

TEST(CensusDerive, MovingCurrEstabUsesTheLaterReadingAndSaysSo) {
  DeriveInputs in;
  in.curr_estab = CounterPair{350, 353};
  in.close_wait = 30;
  auto d = derive_totals(in);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->time_wait);
  EXPECT_EQ(d->established, 323u);
  ASSERT_EQ(d->notes.size(), 1u);
  EXPECT_EQ(d->notes[0], "sockets changed during the census (Tcp CurrEstab 350 -> 353): counts are approximate");
}

TEST(CensusDerive, MovingTimeWaitIsNotedSeparately) {
  DeriveInputs in;
  in.sockstat_tw = CounterPair{5, 4};
  in.curr_estab = CounterPair{2, 2};
  auto d = derive_totals(in);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->time_wait, 4u);
  EXPECT_EQ(d->established, 2u);
  ASSERT_EQ(d->notes.size(), 1u);
  EXPECT_EQ(d->notes[0], "sockets changed during the census (sockstat tw 5 -> 4): counts are approximate");
}

TEST(CensusDerive, NegativeResultIsNotAGuess) {
  DeriveInputs in;
  in.curr_estab = CounterPair{3, 3};
  in.close_wait = 4;  // e.g. a kernel whose CurrEstab leaves CLOSE-WAIT out
  EXPECT_FALSE(derive_totals(in));
  DeriveInputs tw;
  tw.sockstat_tw = CounterPair{1, 1};
  tw.fin_wait2_minisocks = 2;
  EXPECT_FALSE(derive_totals(tw));
}

}  // namespace
}  // namespace tcptune::core
