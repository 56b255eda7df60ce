"""The fixed legal wording of the three documents, with the articles it rests on.

Articles of 安全生产法, 行政处罚法 and 行政强制法 are quoted as numbered in /work/shared/laws/. The two
periods of the appeal routes are set by statutes not in that folder: 60 days by 行政复议法 (2023 revision)
第二十条 and 6 months by 行政诉讼法 (2017) 第四十六条; the right itself is 行政处罚法 第七条 and
行政强制法 第八条 (both in the folder). Documents are issued in Chinese only: these are legal texts,
not interface strings, so they live here and in the templates rather than in the UI catalogues.
"""
from __future__ import annotations

TASK_KINDS = {"random": "双随机抽查", "targeted": "重点检查", "reinspection": "整改复查",
              "report_verification": "举报核查"}

# 行政处罚法 第五十五条, 安全生产法 第六十七条: inspectors show their certificates before they inspect.
RECORD_OPENING = ("我们是{units}执法人员{names}，证件号码为{certs}，这是我们的执法证件（出示证件）。"
                  "现依法对你单位进行现场检查，请予配合。")
RECORD_REFUSAL_BASIS = "被检查单位的负责人拒绝签字的，检查人员将情况记录在案（《中华人民共和国安全生产法》第六十八条）。"

ORDER_BASIS = "依据《中华人民共和国安全生产法》第六十五条第一款第（二）项、第（三）项"
ORDER_DEMAND = ("现责令你单位对上述问题分别于所列期限前整改完毕，达到有关法律法规规章和标准规定的要求。"
                "由此造成事故的，依法追究有关人员的责任。")
ORDER_DURING = "整改期间，你单位应当采取措施，确保安全生产。对安全生产违法行为，将依法予以行政处罚。"
# 安全生产法 第六十五条第一款第（三）项, quoted for orders that list a major hazard.
ORDER_MAJOR = ("属于重大事故隐患的，重大事故隐患排除前或者排除过程中无法保证安全的，应当从危险区域内撤出作业人员，"
               "暂时停产停业或者停止使用相关设施、设备；重大事故隐患排除后，经审查同意，方可恢复生产经营和使用"
               "（《中华人民共和国安全生产法》第六十五条第一款第（三）项）。")
APPEAL = ("如果不服本指令，可以依法在60日内向{reconsideration}申请行政复议，或者在6个月内依法向{court}"
          "提起行政诉讼（《中华人民共和国行政复议法》第二十条、《中华人民共和国行政诉讼法》第四十六条），"
          "但本指令不停止执行，法律另有规定的除外。")

OPINION_OPENING = ("{issuer}于{order_date}作出了{order_number}《责令限期整改指令书》。"
                   "{reinspected}，{issuer}执法人员对你单位整改情况进行了复查，提出如下意见：")
OPINION_ALL_PASSED = "经复查，上述问题已整改完毕，符合要求。"
# 安全生产法 第一百零二条: a hazard not removed is ordered removed again and fined.
OPINION_SOME_FAILED = ("经复查，第{items}项问题未整改完毕。你单位应当继续采取措施消除事故隐患，确保安全生产；"
                       "对未采取措施消除事故隐患的，{issuer}将依照《中华人民共和国安全生产法》第一百零二条的规定依法处理。")

DUPLICATE_TO_UNIT = "本文书一式两份：一份由应急管理部门备案，一份交被检查单位。"
DUPLICATE_TO_REINSPECTED = "本文书一式两份：一份由应急管理部门备案，一份交被复查单位。"
RECORD_COPIES = "本记录一式两份：一份由应急管理部门存档，一份交被检查单位。"

# 现场处理措施决定书 (安全生产法 第六十五条第一款第（二）（三）项): the measures are stated by
# server/decisions/service.py MEASURES; the appeal routes are those of the order.
DECISION_FOUND = "{issuer}执法人员于{date}对你单位进行现场检查时，发现你单位存在下列问题："
DECISION_BASIS = "依据《中华人民共和国安全生产法》第六十五条第一款第{items}项的规定，现作出如下现场处理决定："
DECISION_RESUME = ("重大事故隐患排除后，经审查同意，方可恢复生产经营和使用"
                   "（《中华人民共和国安全生产法》第六十五条第一款第（三）项）。")
DECISION_APPEAL = ("如果不服本决定，可以依法在60日内向{reconsideration}申请行政复议，或者在6个月内依法向{court}"
                   "提起行政诉讼（《中华人民共和国行政复议法》第二十条、《中华人民共和国行政诉讼法》第四十六条），"
                   "但本决定不停止执行，法律另有规定的除外。")
