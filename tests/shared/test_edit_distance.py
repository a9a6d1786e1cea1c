from kkshared.edit_distance import edit_distance


def test_edits_count_one_each_and_a_swap_counts_one() -> None:
    assert edit_distance("video", "video", 2) == 0
    assert edit_distance("vidoe", "video", 2) == 1  # swapped neighbours
    assert edit_distance("dagpenege", "dagpenge", 2) == 1
    assert edit_distance("ressoruceforloeb", "ressourceforloeb", 2) == 1


def test_distance_above_the_limit_is_capped() -> None:
    assert edit_distance("asdfg", "video", 1) == 2
    assert edit_distance("a", "abcdef", 2) == 3
