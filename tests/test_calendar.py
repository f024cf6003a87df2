from sim.core.calendar import WorkingClock


def test_working_days_skip_weekends():
    clock = WorkingClock(start_date="2020-01-08")  # a Wednesday
    assert [str(clock.date_of_day(d)) for d in (0, 2, 3, 5)] == [
        "2020-01-08",
        "2020-01-10",
        "2020-01-13",
        "2020-01-15",
    ]


def test_start_on_a_weekend_begins_on_monday():
    assert str(WorkingClock(start_date="2020-01-04").date_of_day(0)) == "2020-01-06"


def test_deadline_is_end_of_nth_working_day_after_arrival():
    clock = WorkingClock(hours_per_day=8)
    assert clock.due(9.5, 0) == 16.0  # same day
    assert clock.due(9.5, 1) == 24.0  # end of the next day
    assert clock.due(0.0, 5) == 48.0
